/**
 * Fault 5: Slack misbehaves — 429 with Retry-After on every other call, a burst of 503s, a 60 s outage.
 * Every message is eventually posted exactly once, the parent before its replies, replies in the order
 * their diagnoses were made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThreadStore } from '../../src/store/threads.js';
import { readScenarioObjects, SCENARIOS_DIR, type TestPayload } from '../support/alerts.js';
import type { FaultRule } from '../support/fault-proxy.js';
import type { MedicProcess } from '../support/medic-process.js';
import { connect, type Redis } from '../support/redis.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { CHANNEL, type Stack, startStack } from '../support/stack.js';
import { rebuildThreads } from '../support/threads.js';
import { waitFor } from '../support/wait.js';

const SCENARIOS = ['oom-limit', 'crashloop-config-error', 'image-pull-auth'];
const GROUPS_PER_PHASE = 4;

let serial = 0;
/** Per group: one alert of each scenario (three distinct root causes, so three replies), one payload each. */
function phasePayloads(tag: string): TestPayload[] {
  const payloads: TestPayload[] = [];
  for (let g = 0; g < GROUPS_PER_PHASE; g += 1) {
    for (const name of SCENARIOS) {
      const template = JSON.parse(readFileSync(join(SCENARIOS_DIR, name, 'alert.json'), 'utf8')) as TestPayload;
      serial += 1;
      const fingerprint = `${(Date.now() & 0xffffff).toString(16).padStart(8, '0')}${serial.toString(16).padStart(8, '0')}`;
      payloads.push({
        ...template,
        groupKey: `{}:{phase="${tag}", group="${g}"}`,
        alerts: [{ ...template.alerts[0]!, fingerprint }],
      });
    }
  }
  return payloads;
}

describe('Slack faults', () => {
  let stack: Stack;
  let medic: MedicProcess;
  let redis: Redis;

  beforeAll(async () => {
    const objects = readScenarioObjects(...SCENARIOS);
    stack = await startStack({ sandbox: { objects } });
    medic = await stack.startMedic('all');
    redis = connect('store', stack.redis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  async function postUnder(tag: string, rule: FaultRule, timeoutMs: number) {
    const callsBefore = stack.slackCalls.length;
    stack.slackProxy.setRule(rule);
    const payloads = phasePayloads(tag);
    const sender = createAlertmanagerSender({ url: `${medic.baseUrl}/alertmanager` });
    const started = Date.now();
    await sender.sendAll(payloads, 1);
    const fingerprints = payloads.map((p) => p.alerts[0]!.fingerprint);
    const report = await waitFor(
      () => {
        const r = rebuildThreads(stack.slackCalls);
        return fingerprints.every((fp) => r.repliesPerFingerprint.has(fp)) ? r : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `every reply posted under ${tag}` },
    );
    const elapsedMs = Date.now() - started;
    stack.slackProxy.setRule(null);
    const faulted = stack.slackProxy.log().filter((e) => !e.forwarded).length;
    const duplicates = fingerprints.filter((fp) => (report.repliesPerFingerprint.get(fp) ?? 0) > 1);

    // Replies must reach Slack in the thread's own order: each pair's order of first appearance (its `seq`).
    const threadStore = createThreadStore(redis, stack.prefix);
    const outOfOrder: string[] = [];
    for (const groupKey of new Set(payloads.map((p) => p.groupKey))) {
      const snap = await threadStore.load(threadStore.threadId(CHANNEL, groupKey));
      const seqOf = (fp: string) => snap.pairs.find((pair) => pair.key === snap.alertPairs[fp])?.seq ?? -1;
      const thread = [...report.threads.values()].find((t) =>
        t.posts.some((p) => p.diagnosis && snap.alertPairs[p.diagnosis.fingerprint]),
      );
      const seqs = (thread?.posts ?? []).filter((p) => p.diagnosis).map((p) => seqOf(p.diagnosis!.fingerprint));
      if (seqs.some((seq, i) => seq < 0 || (i > 0 && seq < seqs[i - 1]!))) outOfOrder.push(`${groupKey}: ${seqs}`);
    }
    const phaseThreads = new Set(
      stack.slackCalls
        .slice(callsBefore)
        .filter((c) => c.ok && c.method === 'chat.postMessage' && !c.threadTs)
        .map((c) => c.resultTs),
    );
    console.log(
      `FAULT slack-${tag} ${JSON.stringify({ replies: fingerprints.length, elapsedMs, faultedCalls: faulted, duplicates: duplicates.length, threads: phaseThreads.size, outOfOrder: outOfOrder.length })}`,
    );
    expect(duplicates).toEqual([]);
    expect(report.orphanReplies).toBe(0);
    expect(phaseThreads.size).toBe(GROUPS_PER_PHASE);
    expect(outOfOrder).toEqual([]);
    return { elapsedMs };
  }

  it('posts every message once when every other call is answered 429 with Retry-After', async () => {
    await postUnder(
      'ratelimited',
      (r) => (r.index % 2 === 0 ? { status: 429, headers: { 'retry-after': '1' } } : null),
      120_000,
    );
  });

  it('posts every message once through a burst of 503s', async () => {
    let burstStart = 0;
    await postUnder(
      'burst',
      (r) => {
        burstStart ||= r.index + 2;
        return r.index >= burstStart && r.index < burstStart + 15 ? { status: 503 } : null;
      },
      120_000,
    );
  });

  it('posts every message once after a 60 s outage', async () => {
    const until = Date.now() + 60_000;
    const { elapsedMs } = await postUnder('outage', () => (Date.now() < until ? { status: 503 } : null), 240_000);
    expect(elapsedMs).toBeGreaterThanOrEqual(55_000);
  });
});
