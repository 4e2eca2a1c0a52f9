/** The audit log on a real Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/store/audit.js';
import { connect, deleteKeysUnder, type Redis, uniquePrefix } from '../support/redis.js';

const prefix = uniquePrefix('audit');
let redis: Redis;
beforeAll(() => {
  redis = connect('store');
});
afterAll(async () => {
  await deleteKeysUnder(prefix);
  await redis.quit();
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
