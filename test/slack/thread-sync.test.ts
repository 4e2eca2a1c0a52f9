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
