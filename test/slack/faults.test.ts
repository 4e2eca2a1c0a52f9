import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type HarnessNotifier, harnessNotifier, type SlackHarness, startSlackHarness } from '../support/slack.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

let h: SlackHarness;
let notifier: HarnessNotifier;

beforeEach(async () => {
  h = await startSlackHarness({ maxWaitMs: 200 });
  notifier = harnessNotifier(h);
});
afterEach(async () => {
  await h.close();
});

const CAUSES = ['OOM_LIMIT', 'CRASHLOOP_APP_ERROR', 'IMAGE_PULL_FAILURE'] as const;

/** 3 groups × 12 alerts, each group with 3 distinct (cause, workload) pairs. */
async function fireStorm(): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (let g = 0; g < 3; g += 1) {
    for (let i = 0; i < 12; i += 1) {
      const fp = `f${g}${String(i).padStart(2, '0')}`;
      const event = alertEvent(fp, { groupKey: `group-${g}`, pod: `pod-${g}-${i}` });
      const code = CAUSES[i % 3] ?? 'OOM_LIMIT';
      jobs.push(notifier.notifyFiring(event, diagnosisFor(event, { code, workload: `w${i % 3}` })));
    }
  }
  await Promise.all(jobs);
}

function settled() {
  const messages = h.sim.conversations().find((c) => c.id === 'CALERTS')?.messages ?? [];
  const complete =
    messages.length === 3 &&
    messages.every((m) => m.text.includes('12 firing') && m.replies.length === 3) &&
    messages.every((m) => m.replies.every((r) => JSON.stringify(r.blocks).includes('Affected: 4 alert(s)')));
  return complete ? messages : undefined;
}

describe('Slack faults', () => {
  it('under a 429 storm with 5xx bursts every parent and reply is posted exactly once, replies in order', async () => {
    h.sim.setFaults({ rateLimit: { count: 40, retryAfterSec: 0 }, serverErrors: { count: 10, status: 503 } });
    await fireStorm();
    const messages = await h.waitFor(settled, 20_000);
    const posts = h.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok);
    expect(posts).toHaveLength(3 + 9);
    expect(h.sim.calls().filter((c) => c.status === 429)).toHaveLength(40);
    for (let g = 0; g < 3; g += 1) {
      // Replies appear in the order their causes first appeared in the group.
      const snap = await h.threads.load(h.threads.threadId('CALERTS', `group-${g}`));
      const parent = messages.find((m) => m.ts === snap.messages.parent?.ts);
      const order = snap.pairs.map((p) => p.diagnosis.rootCause.code);
      expect(new Set(order)).toEqual(new Set(CAUSES));
      expect(parent?.replies.map((r) => r.metadata?.event_payload.root_cause)).toEqual(order);
    }
  });

  it('a Slack outage delays posts without losing or duplicating them', async () => {
    h.sim.setFaults({ outageUntil: Date.now() + 1500 });
    await fireStorm();
    const messages = await h.waitFor(settled, 25_000);
    expect(messages).toHaveLength(3);
    expect(h.sim.calls().filter((c) => c.status === 503).length).toBeGreaterThan(0);
    expect(h.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok)).toHaveLength(12);
  });

  it('coalesces a burst into few Slack writes: posts + each message edited at most once per max wait, plus its settle edit', async () => {
    const started = Date.now();
    await fireStorm();
    await h.waitFor(settled, 20_000);
    // Passes per thread: one per max wait (200 ms) while it changes, plus the one once quiet.
    const passes = Math.ceil((Date.now() - started) / 200) + 1;
    const perGroupEdits = h.sim.calls().filter((c) => c.method === 'chat.update').length / 3;
    expect(h.sim.calls().filter((c) => c.method === 'chat.postMessage')).toHaveLength(12);
    // The parent and 3 replies, each at most once per pass.
    expect(perGroupEdits).toBeLessThanOrEqual(4 * passes);
    expect(perGroupEdits).toBeLessThan(12);
  });
});
