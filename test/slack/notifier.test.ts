import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackNotifier } from '../../src/slack/notifier.js';
import type { AlertNotifier } from '../../src/types.js';
import { recordingRemediation, type SlackHarness, startSlackHarness } from '../helpers/slack.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

let h: SlackHarness;
let notifier: AlertNotifier;

beforeEach(async () => {
  h = await startSlackHarness();
  notifier = createSlackNotifier({
    threads: h.threads,
    proposals: h.proposals,
    audit: h.audit,
    scheduler: h.scheduler,
    remediation: recordingRemediation().remediation,
    settings: { channels: [{ match: { namespace: 'payments' }, channel: 'CPAY' }] },
    defaultChannel: 'CALERTS',
    ttlMs: 3_600_000,
    now: Date.now,
    logger: h.logger,
  });
});
afterEach(async () => {
  await h.close();
});

const channel = (id: string) => h.sim.conversations().find((c) => c.id === id);
const writes = () => h.sim.calls().filter((c) => c.method.startsWith('chat.') && c.ok);

describe('Slack notifier: one thread per alert group', () => {
  it('posts one parent and one diagnosis reply with buttons, metadata and links', async () => {
    const event = alertEvent('aa01');
    await notifier.notifyFiring(event, diagnosisFor(event));
    const reply = await h.waitFor(() => channel('CALERTS')?.messages[0]?.replies[0]);
    const parent = channel('CALERTS')?.messages[0];
    expect(parent?.text).toContain('KubePodOOMKilled');
    expect(reply.text).toMatch(/^OOM_LIMIT: /);
    const payload = reply.metadata?.event_payload as { proposals: { id: string; kind: string }[] };
    expect(reply.metadata).toEqual({
      event_type: 'medic_diagnosis',
      event_payload: {
        root_cause: 'OOM_LIMIT',
        playbook: 'oom-killed',
        fingerprint: 'aa01',
        proposals: [
          { id: expect.stringMatching(/^p[0-9a-f]{20}$/), kind: 'set-memory-limit' },
          { id: expect.stringMatching(/^p[0-9a-f]{20}$/), kind: 'rollout-restart' },
        ],
      },
    });
    const json = JSON.stringify(reply.blocks);
    const buttons = (reply.blocks as { type: string; elements?: Record<string, unknown>[] }[]).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : [],
    );
    expect(buttons.map((b) => b.value)).toEqual(payload.proposals.map((p) => p.id));
    // rollout-restart is risky: red with a confirm dialog; set-memory-limit is not.
    expect(buttons[1]).toMatchObject({ style: 'danger', confirm: { style: 'danger' } });
    expect(buttons[0]).toMatchObject({ style: 'primary' });
    expect(buttons[0]?.confirm).toBeUndefined();
    expect(json).toContain('old → new');
    expect(json).toContain('http://prometheus.example/graph');
    expect(json).toContain('http://alertmanager.example:9093/#/silences/new?filter=');
  });

  it('routes by namespace, and a repeat of the same alert posts nothing new', async () => {
    const event = alertEvent('bb01', { namespace: 'payments' });
    await notifier.notifyFiring(event, diagnosisFor(event));
    await h.waitFor(() => channel('CPAY')?.messages[0]?.replies[0]);
    const before = writes().length;
    await notifier.notifyFiring(event, diagnosisFor(event));
    await notifier.notifyFiring(event, diagnosisFor(event));
    // The repeat syncs find nothing changed: no post, no edit.
    await h.slackQueue.queue.waitUntilReady();
    await waitForIdle(h);
    expect(writes().length).toBe(before);
    expect(channel('CALERTS')).toBeUndefined();
  });

  it('adds alerts of the same cause and workload to one reply; a new cause gets its own reply', async () => {
    const events = ['cc01', 'cc02', 'cc03'].map((fp) => alertEvent(fp));
    for (const e of events) await notifier.notifyFiring(e, diagnosisFor(e));
    const other = alertEvent('cc04', { pod: 'web-1' });
    await notifier.notifyFiring(other, diagnosisFor(other, { code: 'CRASHLOOP_APP_ERROR', workload: 'web' }));
    const thread = await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m && m.replies.length === 2 && JSON.stringify(m.replies[0]?.blocks).includes('api-cc03') ? m : undefined;
    });
    expect(channel('CALERTS')?.messages).toHaveLength(1);
    expect(thread.replies.map((r) => r.metadata?.event_payload.root_cause)).toEqual([
      'OOM_LIMIT',
      'CRASHLOOP_APP_ERROR',
    ]);
    expect(JSON.stringify(thread.replies[0]?.blocks)).toContain('Affected: 3 alert(s), 3 firing');
  });

  it('a resolve updates the parent and the diagnosis line; a fully resolved group says so', async () => {
    const a = alertEvent('dd01');
    const b = alertEvent('dd02');
    await notifier.notifyFiring(a, diagnosisFor(a));
    await notifier.notifyFiring(b, diagnosisFor(b));
    await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m?.text.includes('2 firing') && m.replies.length === 1;
    });
    const posts = h.sim.calls().filter((c) => c.method === 'chat.postMessage').length;
    await notifier.notifyResolved(alertEvent('dd01', { status: 'resolved' }));
    await notifier.notifyResolved(alertEvent('dd02', { status: 'resolved' }));
    const parent = await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m?.text.includes('Resolved') && JSON.stringify(m.replies[0]?.blocks).includes('*Resolved*')
        ? m
        : undefined;
    });
    expect(parent.text).toContain('All 2 alert(s) resolved');
    expect(h.sim.calls().filter((c) => c.method === 'chat.postMessage').length).toBe(posts);
  });

  it('a dry run that fails gets no button and the reply says why', async () => {
    const event = alertEvent('ee01');
    const diagnosis = diagnosisFor(event, {
      actions: [
        { kind: 'delete-pod', title: 'Delete pod (unsafe)', params: { namespace: 'ads', pod: 'x' }, risk: 'high' },
      ],
    });
    await notifier.notifyFiring(event, diagnosis);
    const reply = await h.waitFor(() => channel('CALERTS')?.messages[0]?.replies[0]);
    expect(reply.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(JSON.stringify(reply.blocks)).toContain('No button for *Delete pod (unsafe)*');
    expect(reply.metadata?.event_payload.proposals).toEqual([]);
  });
});

async function waitForIdle(harness: SlackHarness): Promise<void> {
  const queue = harness.slackQueue.queue;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
    if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
