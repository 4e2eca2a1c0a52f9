import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/errors.js';
import { createThreadSync, type ThreadSyncDeps } from '../../src/slack/thread-sync.js';
import type { ThreadStore } from '../../src/store/threads.js';
import { type SlackHarness, startSlackHarness } from '../support/slack.js';
import { waitFor } from '../support/wait.js';
import { alertEvent, diagnosisFor, recordedFiring } from './fixtures.js';

let h: SlackHarness;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h.close();
});

const GROUP = 'g-coalesce';

/** Records a firing alert with a pair of its own (workload `w<i>`) in the thread, as the Slack view does. */
async function recordPair(id: string, i: number): Promise<void> {
  const event = alertEvent(`co${String(i).padStart(2, '0')}`, { groupKey: GROUP });
  const diagnosis = diagnosisFor(event, { workload: `w${i}`, actions: [] });
  await h.threads.recordFiring(id, {
    ...recordedFiring(event, GROUP, `w${i}`, Date.now()),
    newPair: { diagnosis, proposalIds: [], unavailable: [], createdAt: Date.now() },
  });
}

/** The harness's thread store, counting sync starts; the first one is held (lock taken) until `release`. */
function heldStore() {
  let starts = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const threads: ThreadStore = {
    ...h.threads,
    async startSync(id, now, ttl) {
      starts += 1;
      const started = await h.threads.startSync(id, now, ttl);
      if (starts === 1) await gate;
      return started;
    },
  };
  return { threads, starts: () => starts, release };
}

const posts = () => h.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok);

/** A thread sync of the harness's Slack client and stores over `threads`. */
const syncOver = (threads: ThreadSyncDeps['threads']) =>
  createThreadSync({ client: h.client, threads, proposals: h.proposals, scheduler: h.scheduler, logger: h.logger });

describe('thread sync: a busy thread gets one follow-up, not a retry storm', () => {
  it('every sync queued while a writer runs joins one follow-up that shows every change; in-job attempts hand over', async () => {
    const store = heldStore();
    const sync = syncOver(store.threads);
    const id = h.threads.threadId('CALERTS', GROUP);
    await recordPair(id, 0);
    const requests = [sync.sync(id)];
    await waitFor(() => store.starts() === 1, { timeoutMs: 5000, what: 'the first writer to hold the thread' });
    // While it holds the thread: six new pairs, each followed by a queued sync and an in-job attempt.
    const inJob: Promise<unknown>[] = [];
    for (let i = 1; i <= 6; i += 1) {
      await recordPair(id, i);
      requests.push(sync.sync(id));
      inJob.push(
        sync.syncNow(id).then(
          () => 'synced',
          (error: unknown) => isMedicError(error) && error.code,
        ),
      );
    }
    // The in-job attempts do not wait behind the writer (their caller queues a sync, as the queued ones here).
    expect(await Promise.all(inJob)).toEqual(Array(6).fill('CONFLICT'));
    store.release();
    const outcomes = await Promise.allSettled(requests);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    // The writer and ONE follow-up: six queued syncs did not become six lock attempts (nor CONFLICT retries).
    expect(store.starts()).toBe(2);
    const thread = h.sim.conversations().find((c) => c.id === 'CALERTS')?.messages[0];
    expect(thread?.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual([
      'co00',
      'co01',
      'co02',
      'co03',
      'co04',
      'co05',
      'co06',
    ]);
    expect(posts()).toHaveLength(8);
  });

  it("waits for another replica's writer instead of failing; the in-job attempt hands over at once", async () => {
    const sync = syncOver(h.threads);
    const id = h.threads.threadId('CALERTS', GROUP);
    await recordPair(id, 0);
    const other = (await h.threads.startSync(id, Date.now(), 10_000))?.lock;
    expect(other).toBeDefined();
    const inJob = await sync.syncNow(id).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isMedicError(inJob) && inJob.code).toBe('CONFLICT');
    const queued = sync.sync(id);
    let settled = false;
    void queued.finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false);
    expect(posts()).toHaveLength(0);
    await other?.release();
    await queued;
    expect(posts()).toHaveLength(2);
  });
});

describe('thread sync: a sync with nothing to show renders nothing', () => {
  it('a delayed sync that finds the pass not due renders nothing; the pass renders and edits; an unposted reply is posted by any sync', async () => {
    // A quiet period long enough that the early sync below is early on a loaded machine too.
    const t = await startSlackHarness({ quietMs: 1500, maxWaitMs: 5000 });
    try {
      let renders = 0;
      const sync = createThreadSync({
        client: t.client,
        threads: t.threads,
        proposals: t.proposals,
        scheduler: t.scheduler,
        logger: t.logger,
        // The group's silence is read once per render: it counts them.
        silenceOf: async () => {
          renders += 1;
          return null;
        },
      });
      const posted = () => t.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok);
      const id = t.threads.threadId('CALERTS', 'g-idle');
      const fire = async (i: number, newPair: boolean) => {
        const event = alertEvent(`id${String(i).padStart(2, '0')}`, { groupKey: 'g-idle' });
        const diagnosis = diagnosisFor(event, { workload: `w${i % 2}`, actions: [] });
        return t.threads.recordFiring(
          id,
          {
            ...recordedFiring(event, 'g-idle', `w${i % 2}`, Date.now()),
            ...(newPair ? { newPair: { diagnosis, proposalIds: [], unavailable: [], createdAt: Date.now() } } : {}),
          },
          { now: Date.now(), timing: t.scheduler.timing },
        );
      };
      await fire(0, true);
      await sync.sync(id);
      expect(posted()).toHaveLength(2);
      const afterPost = renders;
      expect(afterPost).toBeGreaterThan(0);
      // A repeat: its change claims a pass one quiet period away. A sync before then (a delayed job re-checking
      // early, another replica's) finds it not due: no render, no Slack call.
      const { claimAt } = await fire(2, false);
      expect(claimAt).not.toBeNull();
      const calls = t.sim.calls().length;
      await sync.sync(id);
      expect(renders).toBe(afterPost);
      expect(t.sim.calls()).toHaveLength(calls);
      // Once due, the pass renders and shows the repeat.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (claimAt ?? 0) - Date.now() + 20)));
      await sync.sync(id);
      expect(renders).toBe(afterPost + 1);
      expect(t.sim.conversations().find((c) => c.id === 'CALERTS')?.messages[0]?.text).toContain('2 firing');
      // A new pair whose reply was never posted (its in-job post failed), then a repeat that claims a pass: the
      // sync before that pass is due still posts the reply.
      await fire(3, true);
      await fire(4, false);
      await sync.sync(id);
      expect(posted()).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});
