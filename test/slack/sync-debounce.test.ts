/**
 * The debounce of non-urgent thread edits (src/slack/sync-scheduler.ts, decided in src/store/thread-scripts.ts)
 * end to end: real Redis, the `slack` queue and its worker, the Slack simulator. Changes reach the thread as the
 * Slack view records them (the thread store, then a non-urgent sync request); a non-urgent pass shows in Slack as
 * a parent edit, since every change here is a new firing alert (the parent's count).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { createSlackQueue, startSlackWorker } from '../../src/queue/index.js';
import { createSyncScheduler, type SyncScheduler } from '../../src/slack/sync-scheduler.js';
import { createThreadSync } from '../../src/slack/thread-sync.js';
import { createThreadStore, type ThreadStore } from '../../src/store/threads.js';
import { connect } from '../support/redis.js';
import { type SlackHarness, startSlackHarness } from '../support/slack.js';
import { delay } from '../support/wait.js';
import { alertEvent, diagnosisFor, recordedFiring } from './fixtures.js';

let h: SlackHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.close();
  h = undefined;
});

async function harness(
  timing: { quietMs: number; maxWaitMs: number },
  alertsWaiting?: () => Promise<number>,
): Promise<SlackHarness> {
  h = await startSlackHarness({ ...timing, ...(alertsWaiting ? { alertsWaiting } : {}) });
  return h;
}

const GROUP = 'g-debounce';

/** What records changes and asks for syncs: the harness's store and scheduler, or another replica's. */
interface Writer {
  threads: ThreadStore;
  scheduler: SyncScheduler;
}

let fingerprints = 0;
/** A new firing alert of pair `w<pair>` in the group's thread, recorded as the Slack view does; returns its time. */
async function fire(writer: Writer, pair: number, options: { newPair?: boolean } = {}): Promise<number> {
  fingerprints += 1;
  const fingerprint = `db${String(fingerprints).padStart(4, '0')}`;
  const event = alertEvent(fingerprint, { groupKey: GROUP });
  const id = writer.threads.threadId('CALERTS', GROUP);
  const at = Date.now();
  const { added } = await writer.threads.recordFiring(id, {
    ...recordedFiring(event, GROUP, `w${pair}`, at),
    ...(options.newPair
      ? {
          newPair: {
            diagnosis: diagnosisFor(event, { workload: `w${pair}`, actions: [] }),
            proposalIds: [],
            unavailable: [],
            createdAt: at,
          },
        }
      : {}),
  });
  await writer.scheduler.requestSync(id, { urgent: added });
  return at;
}

function thread(t: SlackHarness) {
  return t.sim.conversations().find((c) => c.id === 'CALERTS')?.messages[0];
}

const updates = (t: SlackHarness) => t.sim.calls().filter((c) => c.method === 'chat.update' && c.ok);
const posts = (t: SlackHarness) => t.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok);
/** The times of the non-urgent passes: the parent's edits. */
const passes = (t: SlackHarness) => {
  const parentTs = thread(t)?.ts;
  return updates(t)
    .filter((c) => c.args.ts === parentTs)
    .map((c) => c.at);
};

/** The edits of the thread's first reply. */
const replyEdits = (t: SlackHarness) => updates(t).filter((c) => c.args.ts === thread(t)?.replies[0]?.ts);

/** Posts the thread: its parent and one reply per pair (urgent syncs), and waits until Slack shows them. */
async function postThread(t: SlackHarness, pairs: number): Promise<void> {
  for (let pair = 0; pair < pairs; pair += 1) await fire(t, pair, { newPair: true });
  await t.waitFor(() => (thread(t)?.replies.length ?? 0) === pairs);
}

/** A harness whose thread has one pair, posted and shown, then quiet for a while: nothing pending. */
async function quietThread(
  timing: { quietMs: number; maxWaitMs: number },
  alertsWaiting?: () => Promise<number>,
): Promise<SlackHarness> {
  const t = await harness(timing, alertsWaiting);
  await postThread(t, 1);
  await converged(t, 1, [1]);
  await delay(timing.quietMs + 200);
  return t;
}

/**
 * A repeat of pair 0 every `everyMs` for `forMs`: the time of the last one, and how many alerts the pair then
 * has (the one it was posted for, and the repeats).
 */
async function storm(t: SlackHarness, everyMs: number, forMs: number): Promise<{ last: number; fired: number }> {
  const start = Date.now();
  let last = 0;
  let fired = 1;
  for (let i = 0; i * everyMs < forMs; i += 1) {
    await delay(start + i * everyMs - Date.now());
    last = await fire(t, 0);
    fired += 1;
  }
  return { last, fired };
}

/** Resolves (with the time) once Slack shows `firing` alerts in the parent and each pair's alerts in its reply. */
function converged(t: SlackHarness, firing: number, perPair: number[]) {
  return t.waitFor(() => {
    const parent = thread(t);
    if (!parent?.text.includes(`${firing} firing`)) return undefined;
    const shown = parent.replies.map((r) => (r.metadata?.event_payload.fingerprints as unknown[] | undefined)?.length);
    return perPair.every((n, i) => shown[i] === n) ? Date.now() : undefined;
  }, 15_000);
}

describe('thread sync debounce: a pass edits every changed message once the thread is quiet', () => {
  it('edits all 3 changed messages (the parent and two replies) in one pass, a quiet period after the change', async () => {
    const t = await harness({ quietMs: 300, maxWaitMs: 3000 });
    await postThread(t, 2);
    // Let the posts' own follow-up (the parent's count after the second reply) settle first.
    await converged(t, 2, [1, 1]);
    await delay(500);
    const before = updates(t).length;
    const changedAt = await fire(t, 0);
    await fire(t, 1);
    const at = await converged(t, 4, [2, 2]);
    const edits = updates(t).slice(before);
    // One chat.update per changed message, in thread order, all in the same pass.
    const ts = [thread(t)?.ts, ...(thread(t)?.replies.map((r) => r.ts) ?? [])];
    expect(edits.map((c) => c.args.ts)).toEqual(ts);
    expect((edits.at(-1)?.at ?? 0) - (edits[0]?.at ?? 0)).toBeLessThan(250);
    // Not 3 intervals: one quiet period (300 ms) after the change, with a margin for a loaded machine.
    expect(edits[0]?.at ?? 0).toBeGreaterThanOrEqual(changedAt + 300);
    expect(at - changedAt).toBeLessThan(300 + 700);
  });

  it('a thread changed every 300 ms for 4 s: no pass before the max wait, at most one per max wait, the last one a quiet period after the last change', async () => {
    const QUIET = 500;
    const MAX_WAIT = 1500;
    const t = await quietThread({ quietMs: QUIET, maxWaitMs: MAX_WAIT });
    const before = passes(t).length;
    const start = Date.now();
    const { last, fired } = await storm(t, 300, 4000);
    await converged(t, fired, [fired]);
    const during = passes(t).slice(before);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.length).toBeLessThanOrEqual(Math.ceil(4000 / MAX_WAIT) + 1);
    // No pass until the first change waited the max wait.
    expect(during[0] ?? 0).toBeGreaterThanOrEqual(start + MAX_WAIT);
    // While the changes kept coming, passes at most one per max wait.
    const whileChanging = during.filter((at) => at < last);
    for (let i = 1; i < whileChanging.length; i += 1) {
      expect((whileChanging[i] ?? 0) - (whileChanging[i - 1] ?? 0)).toBeGreaterThanOrEqual(MAX_WAIT - 50);
    }
    // The last pass shows the last change, about a quiet period after it.
    const settle = during.at(-1) ?? 0;
    expect(settle).toBeGreaterThanOrEqual(last);
    expect(settle - last).toBeLessThanOrEqual(QUIET + 700);
    // Each pass edited the reply too (its affected list): never more edits than passes per message.
    expect(replyEdits(t).length).toBeLessThanOrEqual(passes(t).length);
  });

  it('a storm of repeats for 5 s: the parent keeps the max wait pace, the reply whose list alone grows is edited at most once per 4 max waits, the settle shows every list', async () => {
    const QUIET = 300;
    const MAX_WAIT = 500;
    const t = await quietThread({ quietMs: QUIET, maxWaitMs: MAX_WAIT });
    const beforePasses = passes(t).length;
    const beforeReply = replyEdits(t).length;
    const { last, fired } = await storm(t, 150, 5000);
    await converged(t, fired, [fired]);
    const parentWhileChanging = passes(t)
      .slice(beforePasses)
      .filter((at) => at < last);
    const replyWhileChanging = replyEdits(t)
      .slice(beforeReply)
      .map((c) => c.at)
      .filter((at) => at < last);
    // The parent's count: a pass about every max wait (5 s / 500 ms, less the first wait and a loaded machine).
    expect(parentWhileChanging.length).toBeGreaterThanOrEqual(5);
    // The reply's list: not at every pass, at most once per 4 max waits (2 s) while the storm lasts.
    expect(replyWhileChanging.length).toBeLessThanOrEqual(Math.ceil(5000 / (4 * MAX_WAIT)));
    expect(replyWhileChanging.length).toBeLessThan(parentWhileChanging.length);
    for (let i = 1; i < replyWhileChanging.length; i += 1) {
      expect((replyWhileChanging[i] ?? 0) - (replyWhileChanging[i - 1] ?? 0)).toBeGreaterThanOrEqual(4 * MAX_WAIT - 50);
    }
    // The settle pass, about a quiet period after the last change, showed the whole list (converged above).
    const settle = replyEdits(t).at(-1)?.at ?? 0;
    expect(settle).toBeGreaterThanOrEqual(last);
    expect(settle - last).toBeLessThanOrEqual(QUIET + 700);
  });

  it('a thread quiet while alerts still wait for a worker has not settled: its reply list waits; once none wait, the next pass shows it', async () => {
    const QUIET = 200;
    let waiting = 0;
    const MAX_WAIT = 5000;
    const t = await quietThread({ quietMs: QUIET, maxWaitMs: MAX_WAIT }, async () => waiting);
    const before = replyEdits(t).length;
    // A storm elsewhere: alerts wait for a worker. A repeat here, then the thread is quiet: the pass edits the
    // parent's count, not the reply, whose list alone grew.
    waiting = 40;
    await fire(t, 0);
    await t.waitFor(() => thread(t)?.text.includes('2 firing'));
    await delay(QUIET * 3);
    expect(replyEdits(t).length).toBe(before);
    expect(thread(t)?.replies[0]?.metadata?.event_payload.fingerprints).toHaveLength(1);
    // The storm is taken in: a pass shows the list about a quiet period later, not at the max wait its claim says.
    waiting = 0;
    const calmAt = Date.now();
    const at = await converged(t, 2, [2]);
    expect(at - calmAt).toBeLessThan(MAX_WAIT / 2);
    expect(replyEdits(t).length).toBe(before + 1);
    // The look back claimed a max wait on was brought forward, not doubled: no job is left waiting for it.
    const counts = await t.slackQueue.queue.getJobCounts('waiting', 'active', 'delayed');
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0)).toBe(0);
  });

  it('changes that stop: the thread converges within the quiet period plus a small margin, in one pass', async () => {
    const QUIET = 400;
    const t = await quietThread({ quietMs: QUIET, maxWaitMs: 5000 });
    const before = passes(t).length;
    let last = 0;
    for (let i = 0; i < 10; i += 1) {
      last = await fire(t, 0);
      await delay(30);
    }
    const at = await converged(t, 11, [11]);
    expect(at - last).toBeGreaterThanOrEqual(QUIET - 50);
    expect(at - last).toBeLessThan(QUIET + 500);
    expect(passes(t).length - before).toBe(1);
    // Nothing left queued: the pass's job was the last one.
    const counts = await t.slackQueue.queue.getJobCounts('waiting', 'active', 'delayed');
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0)).toBe(0);
  });

  it('a pass that Slack fails gives its changes back: the retried sync shows them', async () => {
    const t = await harness({ quietMs: 200, maxWaitMs: 2000 });
    await postThread(t, 1);
    await converged(t, 1, [1]);
    await delay(400);
    // More 5xx than the client's 20 retries: the pass fails, the queue retries the sync.
    t.sim.setFaults({ serverErrors: { count: 25, methods: ['chat.update'] } });
    await fire(t, 0);
    await fire(t, 0);
    await converged(t, 3, [3]);
    expect(t.sim.calls().filter((c) => c.method === 'chat.update' && c.status === 503)).toHaveLength(25);
  });

  it('two replicas on one Redis: no duplicate posts, at most one pass per quiet period, converged once quiet', async () => {
    const QUIET = 300;
    const MAX_WAIT = 900;
    const t = await harness({ quietMs: QUIET, maxWaitMs: MAX_WAIT });
    // The second replica: its own connection, store, queue client, scheduler, thread sync and worker.
    const redis = connect('worker');
    const threads = createThreadStore(redis, t.prefix);
    const queue = createSlackQueue({ connection: redis, prefix: t.prefix, backoffMs: 50 });
    const scheduler = createSyncScheduler({ threads, quietMs: QUIET, maxWaitMs: MAX_WAIT, addJob: queue.addSync });
    const sync = createThreadSync({ client: t.client, threads, proposals: t.proposals, scheduler, logger: t.logger });
    const worker = startSlackWorker({
      connection: redis,
      prefix: t.prefix,
      concurrency: 4,
      logger: t.logger,
      metrics: createMetrics(),
      processor: (job) => sync.sync(job.threadId, job.urgentPair ? { urgentPair: job.urgentPair } : {}),
    });
    cleanups.push(async () => {
      await worker.close();
      await queue.close();
      await redis.quit();
    });
    const replicas: Writer[] = [t, { threads, scheduler }];

    await postThread(t, 1);
    // 2 s of changes every 50 ms, alternating replicas; two new pairs on the way, one from each.
    const start = Date.now();
    let fired = 1;
    const perPair = [1, 0, 0];
    for (let i = 0; Date.now() < start + 2000; i += 1) {
      const pair = i === 10 ? 1 : i === 25 ? 2 : i % 3;
      await fire(replicas[i % 2] as Writer, pair, { newPair: i === 10 || i === 25 });
      fired += 1;
      perPair[pair] = (perPair[pair] ?? 0) + 1;
      await delay(50);
    }
    await converged(t, fired, perPair);
    await delay(QUIET + 300);
    expect(posts(t)).toHaveLength(1 + 3);
    expect(thread(t)?.replies).toHaveLength(3);
    const times = passes(t);
    for (let i = 1; i < times.length; i += 1) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(QUIET - 50);
    }
    // About one per max wait while changing, plus the settle pass (and the first one after the thread's post).
    expect(times.length).toBeLessThanOrEqual(Math.ceil(2000 / MAX_WAIT) + 3);
  });
});
