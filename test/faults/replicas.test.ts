/**
 * Fault 3: two Medic replicas (web+worker each) on one Redis. Alertmanager notifications of the same groups
 * reach both replicas at once; every group gets exactly one parent message and every alert one reply. A
 * proposal clicked on both replicas at the same moment runs once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/sandbox/index.js';
import { makePayload, readScenarioObjects, SCENARIOS_DIR, type TestPayload } from '../support/alerts.js';
import type { MedicProcess } from '../support/medic-process.js';
import { observeRedis } from '../support/observe.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { APPROVER, CHANNEL, OTHER_APPROVER, type Stack, startStack } from '../support/stack.js';
import { rebuildThreads } from '../support/threads.js';
import { waitFor } from '../support/wait.js';

const GROUPS = 20;
const ALERTS_PER_GROUP = 4;
const SCENARIO = 'oom-limit';

function groupPayloads(): TestPayload[][] {
  const template = JSON.parse(readFileSync(join(SCENARIOS_DIR, SCENARIO, 'alert.json'), 'utf8')) as TestPayload;
  const runId = Date.now() & 0xffffff;
  return Array.from({ length: GROUPS }, (_, g) =>
    Array.from({ length: ALERTS_PER_GROUP }, (_, i) => {
      const n = g * ALERTS_PER_GROUP + i;
      const fingerprint = (runId.toString(16).padStart(8, '0') + n.toString(16).padStart(8, '0')).slice(-16);
      const base = template.alerts[0]!;
      const alert = { ...base, fingerprint, labels: { ...base.labels, replica: String(n) } };
      return { ...makePayload('ads', [alert]), groupKey: `{}:{namespace="ads", shard="${g}"}` };
    }),
  );
}

describe('two replicas on one Redis', () => {
  let stack: Stack;
  let a: MedicProcess;
  let b: MedicProcess;
  const generations = new Set<number>();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-replicas-'));
    const settings = join(dir, 'medic.yaml');
    writeFileSync(settings, `approvers: [${APPROVER}, ${OTHER_APPROVER}]\n`);
    const objects = readScenarioObjects(SCENARIO);
    stack = await startStack({ sandbox: { objects }, env: { MEDIC_CONFIG: settings } });
    stack.sandbox.store.on('change', (event: ChangeEvent) => {
      const o = event.object;
      if (o.kind === 'Deployment' && o.metadata.name === 'ad-server' && typeof o.metadata.generation === 'number') {
        generations.add(o.metadata.generation);
      }
    });
    [a, b] = await Promise.all([stack.startMedic('all'), stack.startMedic('all')]);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('posts one parent and one reply per group when both replicas receive every notification', async () => {
    const toA = createAlertmanagerSender({ url: `${a.baseUrl}/alertmanager` });
    const toB = createAlertmanagerSender({ url: `${b.baseUrl}/alertmanager` });
    // HA Alertmanagers both notify: each payload reaches both replicas concurrently.
    const payloads = groupPayloads().flat();
    await Promise.all([toA.sendAll(payloads, 4), toB.sendAll(payloads, 4)]);
    expect(toA.stats().rejected + toB.stats().rejected).toBe(0);

    // A group's alerts share one (root cause, workload) pair, so each thread gets one diagnosis reply.
    const observer = observeRedis(stack.redis.url, stack.prefix);
    try {
      const records = await waitFor(
        async () => {
          const counts = await observer.diagnosisCounts();
          return counts.size >= payloads.length ? counts : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 100, what: 'a diagnosis record for every alert' },
      );
      const report = await waitFor(
        () => {
          const r = rebuildThreads(stack.slackCalls);
          const replied = [...r.threads.values()].filter((t) => t.posts.length >= 2).length;
          return replied >= GROUPS ? r : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: 'a diagnosis reply in every thread' },
      );
      const repliesPerThread = [...report.threads.values()].map((t) => t.posts.length - 1);
      const duplicateRecords = [...records.values()].filter((n) => n > 1).length;
      console.log(
        `FAULT replicas ${JSON.stringify({ groups: GROUPS, alerts: payloads.length, webhookCalls: payloads.length * 2, parents: report.threads.size, repliesPerThread: { min: Math.min(...repliesPerThread), max: Math.max(...repliesPerThread) }, duplicateRecords })}`,
      );
      expect(report.threads.size).toBe(GROUPS);
      expect(repliesPerThread.every((n) => n === 1)).toBe(true);
      expect(report.orphanReplies).toBe(0);
      expect(duplicateRecords).toBe(0);
    } finally {
      await observer.close();
    }
  });

  it('runs a proposal clicked on both replicas at the same moment exactly once', async () => {
    const message = stack.slack
      .conversations()
      .find((c) => c.id === CHANNEL)
      ?.messages.flatMap((m) => [m, ...(m.replies ?? [])])
      .find((m) => JSON.stringify(m.blocks).includes('medic.approve.set-memory-limit'));
    expect(message, 'a diagnosis reply with a set-memory-limit button').toBeDefined();
    const button = (message!.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[])
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .find((el) => el.action_id?.startsWith('medic.approve.set-memory-limit'))!;
    const click = {
      userId: APPROVER,
      channel: CHANNEL,
      messageTs: message!.ts,
      actionId: button.action_id!,
      value: button.value!,
    };

    const before = generations.size;
    stack.slack.setEventsUrl(`${a.baseUrl}/slack/events`);
    const onA = stack.slack.clickButton(click);
    stack.slack.setEventsUrl(`${b.baseUrl}/slack/events`);
    const onB = stack.slack.clickButton(click);
    const answers = await Promise.all([onA, onB]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);

    await waitFor(() => generations.size > before, { timeoutMs: 30_000, what: 'the memory limit patch to land' });
    // Absence of a second run cannot be awaited: give any second execution the time a first one took.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(generations.size - before).toBe(1);
  });
});
