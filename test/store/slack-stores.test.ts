import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore, type ProposalRecord } from '../../src/store/proposals.js';
import { createThreadStore } from '../../src/store/threads.js';
import { connect, type Redis } from '../support/redis.js';

const prefix = `test-store-${randomBytes(6).toString('hex')}`;
let redis: Redis;
beforeAll(() => {
  redis = connect('store');
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function proposal(id: string, now: number): ProposalRecord {
  return {
    id,
    kind: 'rollout-restart',
    title: 'Restart api',
    params: { namespace: 'ads', workload: 'Deployment/api' },
    risk: 'medium',
    diff: [],
    origin: { type: 'user', userId: 'U1', command: '/scale api 3' },
    createdAt: now,
    expiresAt: now + 60_000,
    state: 'proposed',
  };
}

describe('proposal store', () => {
  it('lets exactly one of many concurrent transitions out of proposed win, and keeps the record intact', async () => {
    const store = createProposalStore(redis, prefix);
    const now = Date.now();
    const id = store.newId();
    await store.create(proposal(id, now));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transition(id, ['proposed'], 'approved', { approvedBy: `U${i}` }, { now, honourExpiry: true }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const stored = await store.get(id);
    expect(stored?.state).toBe('approved');
    expect(stored?.approvedBy).toBe(winners[0]?.ok ? winners[0].proposal.approvedBy : undefined);
    // Empty arrays survive a state change (no Lua JSON round trip).
    expect(stored?.diff).toEqual([]);
    expect(results.filter((r) => !r.ok && r.reason === 'state')).toHaveLength(19);
  });

  it('refuses an expired proposal and an unknown or malformed id', async () => {
    const store = createProposalStore(redis, prefix);
    const now = Date.now();
    const id = store.newId();
    await store.create(proposal(id, now));
    const late = await store.transition(id, ['proposed'], 'approved', {}, { now: now + 61_000, honourExpiry: true });
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
    expect((await store.get(id))?.state).toBe('proposed');
    expect(await store.transition('p0000000000000000000a', ['proposed'], 'approved', {}, { now })).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await store.get('../../etc')).toBeNull();
  });
});

describe('audit log', () => {
  it('returns the newest entries first', async () => {
    const audit = createAuditLog(redis, prefix);
    for (const outcome of ['a', 'b', 'c']) {
      await audit.record({
        at: 1,
        actor: 'U1',
        action: 'approve',
        proposalId: 'p',
        kind: 'scale',
        target: 't',
        outcome,
        detail: '',
      });
    }
    expect((await audit.recent(2)).map((e) => e.outcome)).toEqual(['c', 'b']);
  });
});

describe('thread store', () => {
  it('claims one pending sync per thread, spaced by the interval, and locks one writer at a time', async () => {
    const threads = createThreadStore(redis, prefix);
    const id = threads.threadId('C1', 'group');
    expect(id).toBe(threads.threadId('C1', 'group'));
    expect(id).not.toBe(threads.threadId('C2', 'group'));
    const t = 1_700_000_000_000;
    expect(await threads.claimSync(id, t, 5000)).toBe(t);
    expect(await threads.claimSync(id, t + 1, 5000)).toBeNull();
    const first = await threads.startSync(id, t + 2, 10_000);
    expect(first).not.toBeNull();
    expect(await threads.claimSync(id, t + 3, 5000)).toBe(t + 5002);
    expect(await threads.startSync(id, t + 4, 10_000)).toBeNull();
    await first?.lock.release();
    expect(await threads.startSync(id, t + 5, 10_000)).not.toBeNull();
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
