/** The diagnosis store on a real Redis: one record per episode, an index trimmed at most once a minute. */
import { afterAll, describe, expect, it } from 'vitest';
import { createDiagnosisStore } from '../../src/store/diagnoses.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { connect, deleteKeysUnder, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('diagnoses');
const redis = connect('store');
afterAll(async () => {
  await deleteKeysUnder(prefix);
  redis.disconnect();
});

describe('diagnosis store', () => {
  it('keeps the first record of an episode and indexes it once; trims the index at most once a minute', async () => {
    let now = 1_700_000_000_000;
    const store = createDiagnosisStore({ redis, prefix: `${prefix}:d`, ttlMs: 120_000, now: () => now });
    const event = alertEvent('d1');
    const first = await store.recordDiagnosis(event, diagnosisFor(event));
    expect(first.created).toBe(true);
    const again = await store.recordDiagnosis(event, diagnosisFor(event, { code: 'CRASHLOOP_APP_ERROR' }));
    expect(again).toMatchObject({ created: false, record: { diagnosis: { rootCause: { code: 'OOM_LIMIT' } } } });
    expect(await redis.zcard(`${prefix}:d:record-index`)).toBe(1);
    // An index entry older than the TTL goes with the next trim, which runs a minute after the last one.
    await redis.zadd(`${prefix}:d:record-index`, now - 200_000, 'stale');
    now += 30_000;
    await store.recordResolve(alertEvent('d2', { status: 'resolved' }));
    expect(await redis.zscore(`${prefix}:d:record-index`, 'stale')).not.toBeNull();
    now += 30_000;
    await store.recordResolve(alertEvent('d3', { status: 'resolved' }));
    expect(await redis.zscore(`${prefix}:d:record-index`, 'stale')).toBeNull();
    expect((await store.list()).map((r) => r.fingerprint)).toEqual(['d1', 'd2', 'd3']);
  });
});
