/** The proposal store on a real Redis: one winner per transition, records intact, ids that cannot escape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProposalStore, type ProposalRecord } from '../../src/store/proposals.js';
import { connect, deleteKeysUnder, type Redis, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('proposals');
let redis: Redis;
beforeAll(() => {
  redis = connect('store');
});
afterAll(async () => {
  await deleteKeysUnder(prefix);
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
