/**
 * Real Redis for tests: a unique key prefix per test (cleaned after), and the one way tests connect, the way
 * Medic connects (src/store/redis.ts). A private redis-server on its own port is in ./redis-server.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createRedisConnection, type Redis, type RedisOptions, type RedisPurpose } from '../../src/store/redis.js';

export type { Redis } from '../../src/store/redis.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const silentLogger = createLogger('silent');

export function redisConfig(url = TEST_REDIS_URL): Config['redis'] {
  return { url, sentinels: [], sentinelName: 'mymaster' };
}

/** A prefix no other test uses, e.g. `medic-test-3f9a0c1b`. */
export function uniquePrefix(label = 'test'): string {
  return `medic-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * A connection configured for `purpose` as Medic's own are: `worker` waits through a reconnect (for observers
 * that must not miss a record), `store` retries a few times, `producer` fails fast. `extra` for a test's own
 * retry settings.
 */
export function connect(purpose: RedisPurpose, url = TEST_REDIS_URL, extra?: RedisOptions): Redis {
  return createRedisConnection(redisConfig(url), purpose, { logger: silentLogger, ...(extra ? { extra } : {}) });
}

/** Every key under `prefix` (BullMQ keys and Medic's own). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

/** Deletes every key under `prefix`, on a connection of its own (the test's may be closed or broken). */
export async function deleteKeysUnder(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = connect('store', url);
  try {
    const keys = await keysUnder(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}

/** A snapshot of every key and its type+length under a prefix: equal snapshots mean nothing changed. */
export async function snapshotKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys = await keysUnder(redis, prefix);
  return Promise.all(keys.map(async (key) => `${key}=${await redis.type(key)}`));
}
