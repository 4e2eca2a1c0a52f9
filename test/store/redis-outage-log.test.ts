import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createRedisConnection } from '../../src/store/redis.js';
import { createRedisOutageLog } from '../../src/store/redis-outage-log.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';
import { delay, waitFor } from '../support/wait.js';

/** A logger whose JSON lines land in an array. */
function capturingLogger() {
  const records: { msg: string; level: number; failures?: number }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', sink), records };
}

describe('one account of a Redis outage for many connections', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: false });
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('logs the first failure, one summary per interval with a count, and "redis is back", without stacks', async () => {
    const { logger, records } = capturingLogger();
    const outage = createRedisOutageLog({ logger, summaryIntervalMs: 1000 });
    const config = loadConfig({ REDIS_URL: redis.url }).redis;
    // Three connections with quick reconnects: each fails several times a second while Redis is gone.
    const connections = [1, 2, 3].map(() =>
      createRedisConnection(config, 'store', { outage, extra: { retryStrategy: () => 50 } }),
    );
    try {
      await Promise.all(connections.map((c) => c.ping()));
      await redis.kill();
      await delay(3500);
      const during = records.map((r) => r.msg);
      expect(during[0]).toBe('redis unreachable; retrying (one summary line per interval)');
      const summaries = records.filter((r) => r.msg === 'redis still unreachable');
      expect(summaries.length).toBeGreaterThanOrEqual(2);
      expect(summaries.length).toBeLessThanOrEqual(3);
      expect(summaries.every((s) => (s.failures ?? 0) > 3)).toBe(true);
      expect(records.filter((r) => JSON.stringify(r).includes('stack'))).toEqual([]);
      expect(outage.isDown()).toBe(true);

      await redis.restart();
      await waitFor(async () => records.some((r) => r.msg === 'redis is back'), {
        timeoutMs: 10_000,
        what: 'the "redis is back" line',
      });
      expect(records.filter((r) => r.msg === 'redis is back')).toHaveLength(1);
      expect(outage.isDown()).toBe(false);
    } finally {
      for (const c of connections) c.disconnect();
    }
  });

  it('logs a Redis error that is not about the connection at once', () => {
    const { logger, records } = capturingLogger();
    const outage = createRedisOutageLog({ logger });
    outage.report('worker alerts', new Error('ERR Error running script (call to f_1234): @user_script:12: oops'));
    expect(records.map((r) => r.msg)).toEqual(['redis error']);
    expect(outage.isDown()).toBe(false);
  });

  it('takes a connection turning ready amid the first failures for no recovery: one outage, one "back"', async () => {
    const { logger, records } = capturingLogger();
    const outage = createRedisOutageLog({ logger, confirmBackMs: 200 });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    outage.report('connection store', refused);
    outage.restored('connection intake');
    outage.report('worker alerts', refused);
    await delay(300);
    expect(records.map((r) => r.msg)).toEqual(['redis unreachable; retrying (one summary line per interval)']);
    expect(outage.isDown()).toBe(true);
    outage.restored('connection store');
    expect(outage.isDown()).toBe(true);
    await waitFor(async () => !outage.isDown(), { timeoutMs: 2000, what: 'the outage to end' });
    expect(records.map((r) => r.msg)).toEqual([
      'redis unreachable; retrying (one summary line per interval)',
      'redis is back',
    ]);
  });
});
