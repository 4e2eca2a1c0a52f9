/**
 * The thread store against a real Redis: what one firing or resolve writes (and the TTL on every key it
 * writes), the order of pairs, claiming a sync, and starting one (the lock, the snapshot read under it) when the
 * lock is free, held, lost or expired; the debounce of non-urgent passes, decided at the start, on fixed clocks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createThreadStore, type FiringRecord, type ThreadAlert } from '../../src/store/threads.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { connect, deleteKeysUnder, uniquePrefix } from '../support/redis.js';
import { startPrivateRedis } from '../support/redis-server.js';

const prefix = uniquePrefix('threads');
const THREAD_TTL_S = 14 * 86_400;
const TIMING = { quietMs: 1000, maxWaitMs: 5000 };
const redis = connect('store');
afterAll(async () => {
  await deleteKeysUnder(prefix);
  redis.disconnect();
});

const key = (id: string, part: string) => `${prefix}:slack:thread:{${id}}:${part}`;

function alert(fingerprint: string, status: ThreadAlert['status'] = 'firing'): ThreadAlert {
  return { fingerprint, status, label: `pod-${fingerprint}`, labels: {}, generatorURL: '', updatedAt: 1 };
}

function firing(fingerprint: string, pairKey: string, options: { newPair?: boolean; channel?: string } = {}) {
  const event = alertEvent(fingerprint);
  const record: FiringRecord = {
    meta: {
      channel: options.channel ?? 'C1',
      groupKey: 'g',
      alertname: 'KubePodOOMKilled',
      externalURL: 'http://am.example',
      groupLabels: {},
      createdAt: 1,
    },
    alert: alert(fingerprint),
    pairKey,
    ...(options.newPair === false
      ? {}
      : { newPair: { diagnosis: diagnosisFor(event), proposalIds: ['p1'], unavailable: [], createdAt: 2 } }),
  };
  return record;
}

describe('thread store scripts', () => {
  it('records a firing alert: the first meta wins, a pair is added once in order, every written key has the TTL', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'firing');
    expect(await threads.hasPair(id, 'A|x')).toBe(false);
    expect((await threads.recordFiring(id, firing('f1', 'A|x'))).added).toBe(true);
    expect(await threads.hasPair(id, 'A|x')).toBe(true);
    // The same pair again (a second alert, or another replica's copy): not added, the alert still recorded.
    expect((await threads.recordFiring(id, firing('f2', 'A|x', { channel: 'C-other' }))).added).toBe(false);
    expect((await threads.recordFiring(id, firing('f3', 'B|y'))).added).toBe(true);
    expect((await threads.recordFiring(id, firing('f4', 'B|y', { newPair: false }))).added).toBe(false);

    const snap = await threads.load(id);
    expect(snap.meta?.channel).toBe('C1');
    // A pair offered again (two jobs raced past hasPair) may use up a seq number; the order is what counts.
    expect(snap.pairs.map((p) => p.key)).toEqual(['A|x', 'B|y']);
    expect(snap.pairs[0]!.seq).toBeLessThan(snap.pairs[1]!.seq);
    expect(snap.pairs[0]?.diagnosis.alert.fingerprint).toBe('f1');
    expect(snap.pairs[0]?.proposalIds).toEqual(['p1']);
    expect(snap.alerts.map((a) => a.fingerprint)).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(snap.alertPairs).toEqual({ f1: 'A|x', f2: 'A|x', f3: 'B|y', f4: 'B|y' });
    for (const part of ['meta', 'alerts', 'alert-pair', 'pairs', 'seq']) {
      const ttl = await redis.ttl(key(id, part));
      expect([part, ttl > THREAD_TTL_S - 60 && ttl <= THREAD_TTL_S]).toEqual([part, true]);
    }
  });

  it('keeps the pair order of threads written before the script (the same seq counter)', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'legacy');
    // As the earlier addPair left it: seq counter at 3 (one INCR lost a race), pairs with seq 1 and 3.
    await redis.set(key(id, 'seq'), '3');
    const legacy = (k: string, seq: number) => JSON.stringify({ ...firing('l', k).newPair, key: k, seq });
    await redis.hset(key(id, 'pairs'), 'L1|a', legacy('L1|a', 1), 'L3|b', legacy('L3|b', 3));
    await threads.recordFiring(id, firing('n1', 'N|c'));
    const snap = await threads.load(id);
    expect(snap.pairs.map((p) => [p.key, p.seq])).toEqual([
      ['L1|a', 1],
      ['L3|b', 3],
      ['N|c', 4],
    ]);
  });

  it('records a resolve only in a thread that has meta', async () => {
    const threads = createThreadStore(redis, prefix);
    const unknown = threads.threadId('C1', 'never-posted');
    expect(await threads.recordResolved(unknown, alert('r1', 'resolved'))).toBe(false);
    expect(await redis.exists(key(unknown, 'alerts'), key(unknown, 'meta'))).toBe(0);

    const id = threads.threadId('C1', 'resolve');
    await threads.recordFiring(id, firing('r1', 'A|x'));
    await redis.expire(key(id, 'alerts'), 100);
    expect(await threads.recordResolved(id, alert('r1', 'resolved'))).toBe(true);
    const snap = await threads.load(id);
    expect(snap.alerts).toEqual([expect.objectContaining({ fingerprint: 'r1', status: 'resolved' })]);
    expect(snap.alertPairs).toEqual({ r1: 'A|x' });
    expect(await redis.ttl(key(id, 'alerts'))).toBeGreaterThan(THREAD_TTL_S - 60);
  });

  it('starts a sync: the snapshot under a fresh lock; null while another writer holds it; free again once released or expired', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'start');
    await threads.recordFiring(id, firing('s1', 'A|x'));
    const t = 1_700_000_000_000;

    const first = await threads.startSync(id, t + 10, 10_000);
    expect(first?.snapshot.meta?.channel).toBe('C1');
    expect(first?.snapshot.pairs.map((p) => p.key)).toEqual(['A|x']);
    expect(first?.snapshot.messages).toEqual({});
    // Without a debounce timing it only takes the lock: no pass, no claim.
    expect(first).toMatchObject({ pass: false, claimAt: null });
    // Busy: null, and nothing recorded.
    expect(await threads.startSync(id, t + 20, 10_000, TIMING)).toBeNull();
    expect(await redis.exists(key(id, 'sync-pending'), key(id, 'sync-last'))).toBe(0);
    await first?.lock.release();

    // A lock that expired under its writer: another takes it; the first writer's renew and release are no-ops.
    const short = await threads.startSync(id, t + 40, 150);
    expect(short).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await threads.startSync(id, t + 50, 10_000);
    expect(second).not.toBeNull();
    expect(await short?.lock.renew()).toBe(false);
    await short?.lock.release();
    expect(await threads.startSync(id, t + 60, 10_000)).toBeNull();
    expect(await second?.lock.renew()).toBe(true);
    await second?.lock.release();
    expect(await redis.exists(key(id, 'lock'))).toBe(0);

    // An unknown thread: the lock is taken, the snapshot is empty.
    const none = await threads.startSync(threads.threadId('C1', 'none'), t, 10_000);
    expect(none?.snapshot).toMatchObject({ meta: null, alerts: [], pairs: [], messages: {} });
    await none?.lock.release();
  });

  it('records the last message with the release, also when the lock was lost meanwhile', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'release-with-message');
    const held = await threads.startSync(id, 1, 10_000);
    await held?.lock.release({ name: 'parent', message: { ts: '1.1', hash: 'a', at: 1 }, touch: true });
    expect(await redis.exists(key(id, 'lock'))).toBe(0);
    expect(await redis.ttl(key(id, 'messages'))).toBeGreaterThan(THREAD_TTL_S - 60);

    const lost = await threads.startSync(id, 2, 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = await threads.startSync(id, 3, 10_000);
    await lost?.lock.release({ name: 'A|x', message: { ts: '1.2', hash: 'b', at: 2 }, touch: false });
    // The other writer keeps its lock; the post the first one made is recorded all the same.
    expect(await threads.startSync(id, 4, 10_000)).toBeNull();
    expect((await threads.load(id)).messages).toEqual({
      parent: { ts: '1.1', hash: 'a', at: 1 },
      'A|x': { ts: '1.2', hash: 'b', at: 2 },
    });
    await other?.lock.release();
  });

  it('refreshes the messages TTL only when asked', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'messages');
    await threads.saveMessage(id, 'parent', { ts: '1.1', hash: 'h', at: 1 });
    expect(await redis.ttl(key(id, 'messages'))).toBeGreaterThan(THREAD_TTL_S - 60);
    await redis.expire(key(id, 'messages'), 100);
    await threads.saveMessage(id, 'A|x', { ts: '1.2', hash: 'h', at: 2 }, { touch: false });
    expect(await redis.ttl(key(id, 'messages'))).toBeLessThanOrEqual(100);
    expect(Object.keys((await threads.load(id)).messages).sort()).toEqual(['A|x', 'parent']);
  });

  it('scripts run again after the script cache is flushed (NOSCRIPT: sent in full) and after a Redis restart', async () => {
    const server = await startPrivateRedis({ aof: false });
    const own = connect('worker', server.url, { retryStrategy: () => 50 });
    try {
      const threads = createThreadStore(own, prefix);
      const id = threads.threadId('C1', 'noscript');
      expect((await threads.recordFiring(id, firing('n1', 'A|x'))).added).toBe(true);
      await own.script('FLUSH');
      expect((await threads.recordFiring(id, firing('n2', 'B|y'))).added).toBe(true);
      await server.kill();
      await server.restart();
      expect((await threads.recordFiring(id, firing('n3', 'C|z'))).added).toBe(true);
      // No persistence on this server: the restart emptied it.
      expect((await threads.load(id)).pairs.map((p) => p.key)).toEqual(['C|z']);
    } finally {
      own.disconnect();
      await server.close();
    }
  });
});

describe('thread store', () => {
  it('debounces non-urgent passes: one claim per thread; a pass once quiet for quietMs or at maxWaitMs, never two within quietMs', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'group');
    expect(id).toBe(threads.threadId('C1', 'group'));
    expect(id).not.toBe(threads.threadId('C2', 'group'));
    const t = 1_700_000_000_000;
    /** A sync starting at `at` (its lock released at once, the pass shown): what it decided. */
    const start = async (at: number) => {
      const started = await threads.startSync(id, at, 10_000, TIMING);
      await started?.lock.release(undefined, true);
      return started && { pass: started.pass, claimAt: started.claimAt };
    };
    // The first change claims the sync at first + quiet; later changes find it claimed (no job each).
    expect(await threads.claimSync(id, t, TIMING)).toBe(t + 1000);
    expect(await threads.claimSync(id, t + 300, TIMING)).toBeNull();
    // Its job finds the thread changed 700 ms ago: no pass, the next claim at last change + quiet.
    expect(await start(t + 1000)).toEqual({ pass: false, claimAt: t + 1300 });
    // Another sync (a click) meanwhile: the claim stands.
    expect(await start(t + 1100)).toEqual({ pass: false, claimAt: t + 1300 });
    // A change every 300 ms: each job re-claims, until the first change is maxWait old.
    let pass = null;
    for (let at = t + 600; at < t + 6000 && !pass?.pass; at += 300) {
      await threads.claimSync(id, at, TIMING);
      const due = Number(await redis.get(key(id, 'sync-pending')));
      if (due <= at + 300) pass = await start(due);
    }
    expect(pass).toEqual({ pass: true, claimAt: null });
    // It started at t + 5000 and, shown, spent the budget: the next pass is due no sooner than t + 5000 again.
    expect(await redis.get(key(id, 'sync-last'))).toBe(`${t + 5000}:${t + 10_000}`);
    // The pass took every change: nothing waits, nothing claimed.
    expect(await start(t + 5100)).toEqual({ pass: false, claimAt: null });
    // A change right after the pass: due one quiet after it, not before quiet after the pass.
    expect(await threads.claimSync(id, t + 5050, TIMING)).toBe(t + 6050);
    // Quiet from here: the claimed job runs the pass.
    expect(await start(t + 6050)).toEqual({ pass: true, claimAt: null });
  });

  it("records a repeat and claims its sync in one step, exactly as claimSync would; a new pair's alert claims nothing", async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'record-claim');
    const other = threads.threadId('C1', 'claim-only');
    const t = 1_700_000_000_000;
    // A new pair: posted at once by its own urgent sync, so no claim and no change recorded for the debounce.
    expect(await threads.recordFiring(id, firing('c1', 'A|x'), { now: t, timing: TIMING })).toEqual({
      added: true,
      claimAt: null,
    });
    expect(await redis.exists(key(id, 'sync-pending'), key(id, 'sync-change'))).toBe(0);
    // Repeats: the same answers, and the same keys written, as a change claimed with claimSync on another thread.
    const answers: (number | null)[] = [];
    const expected: (number | null)[] = [];
    for (const [i, at] of [t + 10, t + 300, t + 2000, t + 9000].entries()) {
      answers.push((await threads.recordFiring(id, firing(`r${i}`, 'A|x'), { now: at, timing: TIMING })).claimAt);
      expected.push(await threads.claimSync(other, at, TIMING));
    }
    expect(answers).toEqual(expected);
    expect(answers[0]).toBe(t + 10 + 1000);
    expect(answers[1]).toBeNull();
    for (const part of ['sync-pending', 'sync-first', 'sync-change']) {
      expect(await redis.get(key(id, part))).toBe(await redis.get(key(other, part)));
      expect(await redis.ttl(key(id, part))).toBeGreaterThan(0);
    }
    // Without `claim`: recorded, nothing claimed.
    expect(await threads.recordFiring(id, firing('r9', 'A|x'))).toEqual({ added: false, claimAt: null });
  });

  it('keeps a thread changing in bursts within its edit budget: at most ⌊span / maxWait⌋ + 3 passes', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'bursts');
    const t = 1_700_000_000_000;
    const passes: number[] = [];
    // A change every 1.5 s for 20 s: every pause is longer than quiet (1 s), so each would end in a pass.
    const changes = Array.from({ length: 14 }, (_, i) => t + i * 1500);
    for (let at = t; at <= t + 40_000; at += 50) {
      if (changes.includes(at)) await threads.claimSync(id, at, TIMING);
      const due = Number(await redis.get(key(id, 'sync-pending')));
      if (!due || due > at) continue;
      const started = await threads.startSync(id, at, 10_000, TIMING);
      if (started?.pass) passes.push(at);
      await started?.lock.release(undefined, started.pass);
    }
    const last = changes.at(-1) ?? t;
    // The span of the thread's edits, as bench:storm measures it (first to last write).
    const span = (passes.at(-1) ?? 0) - (passes[0] ?? 0);
    expect(passes.length).toBeLessThanOrEqual(Math.floor(span / TIMING.maxWaitMs) + 3);
    // Not starved either: one pass per maxWait while it lasts, and the last change is shown within maxWait.
    expect(passes.length).toBeGreaterThanOrEqual(Math.floor((last - t) / TIMING.maxWaitMs));
    expect((passes.at(-1) ?? 0) - last).toBeGreaterThanOrEqual(0);
    expect((passes.at(-1) ?? 0) - last).toBeLessThanOrEqual(TIMING.maxWaitMs);
    for (let i = 1; i < passes.length; i += 1) {
      expect((passes[i] ?? 0) - (passes[i - 1] ?? 0)).toBeGreaterThanOrEqual(TIMING.quietMs);
    }
  });

  it("tells a pass due for age from one that found the thread quiet; a pass's look back at lists it left waits, and can be brought forward", async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'settle');
    const t = 1_700_000_000_000;
    // A change every 300 ms until the first is maxWait old: the pass is due for age, the thread not quiet.
    expect(await threads.claimSync(id, t, TIMING)).toBe(t + 1000);
    for (let at = t + 300; at <= t + 4800; at += 300) await threads.claimSync(id, at, TIMING);
    let started = await threads.startSync(id, t + 5000, 10_000, TIMING);
    expect(started).toMatchObject({ pass: true, quiet: false });
    await started?.lock.release(undefined, true);
    // The pass left a reply's list for the settle: it looks again a max wait on, not one quiet on.
    expect(await threads.claimSync(id, t + 5100, TIMING, t + 10_100)).toBe(t + 10_100);
    // The thread's next change finds that claim (one job per thread at a time).
    expect(await threads.claimSync(id, t + 6000, TIMING)).toBeNull();
    // The storm is taken in: the claim is brought forward (the old time, for its job to be dropped)...
    expect(await threads.advanceClaim(id, t + 6500, t + 7000)).toBe(t + 10_100);
    expect(await redis.get(key(id, 'sync-pending'))).toBe(String(t + 7000));
    // ...never back: a claim sooner than asked stays.
    expect(await threads.advanceClaim(id, t + 6600, t + 8000)).toBeNull();
    expect(await redis.get(key(id, 'sync-pending'))).toBe(String(t + 7000));
    // Its job runs a quiet period after the last change: the pass is due, and the thread quiet.
    started = await threads.startSync(id, t + 7000, 10_000, TIMING);
    expect(started).toMatchObject({ pass: true, quiet: true });
    await started?.lock.release(undefined, true);
    expect(await threads.advanceClaim(id, t + 7100, t + 7200)).toBeNull();
  });

  it('hands an overdue claim to the next change, so a job its claimer never queued is queued again', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'claimer-died');
    const t = 1_700_000_000_000;
    // Claimed at t (due t + 1000); the process dies before queueing the job.
    expect(await threads.claimSync(id, t, TIMING)).toBe(t + 1000);
    // A change soon after finds the claim and queues nothing (the job may be on its way).
    expect(await threads.claimSync(id, t + 3000, TIMING)).toBeNull();
    // The retried alert, more than 5 s after the claim was due: its time again, for its job to be queued.
    expect(await threads.claimSync(id, t + 6500, TIMING)).toBe(t + 1000);
    // Its job runs: every change since t is shown in one pass.
    const started = await threads.startSync(id, t + 6500, 10_000, TIMING);
    expect(started).toMatchObject({ pass: true, claimAt: null });
    await started?.lock.release(undefined, true);
  });

  it('a pass that fails or dies with its lock gives its changes back', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'failing-pass');
    const t = 1_700_000_000_000;
    expect(await threads.claimSync(id, t, TIMING)).toBe(t + 1000);
    const failed = await threads.startSync(id, t + 1000, 10_000, TIMING);
    expect(failed?.pass).toBe(true);
    await failed?.lock.release(undefined, false);
    // Waiting again, from its first change; the next pass no sooner than quiet after the failed one started.
    const retry = await threads.startSync(id, t + 1100, 10_000, TIMING);
    expect(retry).toMatchObject({ pass: false, claimAt: t + 2000 });
    await retry?.lock.release();
    const died = await threads.startSync(id, t + 2000, 100, TIMING);
    expect(died?.pass).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The next writer finds the pass of the dead one: its changes wait again, and are due.
    const next = await threads.startSync(id, t + 3000, 10_000, TIMING);
    expect(next).toMatchObject({ pass: true, claimAt: null });
    // The dead writer's late release changes nothing; the live one's shows the changes.
    await died?.lock.release(undefined, false);
    await next?.lock.release(undefined, true);
    const after = await threads.startSync(id, t + 9000, 10_000, TIMING);
    expect(after).toMatchObject({ pass: false, claimAt: null });
    await after?.lock.release();
  });

  it('takes over a claim that is due (its own job), so the next change claims again', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'takeover');
    const t = 1_700_000_000_000;
    expect(await threads.claimSync(id, t, TIMING)).toBe(t + 1000);
    const pass = await threads.startSync(id, t + 1000, 10_000, TIMING);
    await pass?.lock.release(undefined, true);
    expect(await redis.exists(key(id, 'sync-pending'))).toBe(0);
    // A change, claimed; a sync starting when that claim is due but nothing waits (shown meanwhile) drops it.
    expect(await threads.claimSync(id, t + 3000, TIMING)).toBe(t + 4000);
    await redis.del(key(id, 'sync-first'));
    const stale = await threads.startSync(id, t + 4000, 10_000, TIMING);
    expect(stale).toMatchObject({ pass: false, claimAt: null });
    await stale?.lock.release();
    expect(await threads.claimSync(id, t + 4100, TIMING)).toBe(t + 5100);
  });

  it('renews a held thread lock past its TTL, and reports a lock that was lost', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C3', 'renewed');
    const lock = (await threads.startSync(id, Date.now(), 300))?.lock;
    expect(lock).toBeDefined();
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await lock?.renew()).toBe(true);
    }
    // 600 ms after taking a 300 ms lock, it is still held: nobody else can write the thread.
    expect(await threads.startSync(id, Date.now(), 300)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await lock?.renew()).toBe(false);
    const next = await threads.startSync(id, Date.now(), 300);
    expect(next).not.toBeNull();
    await next?.lock.release();
  });
});
