/**
 * Redis connections, one per purpose. Only src/store and src/queue touch Redis; everything else receives
 * a connection from the composition root (src/main.ts).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/load.js';
import { createLogger, type Logger } from '../logger.js';
import { createRedisOutageLog, type RedisOutageLog } from './redis-outage-log.js';

export type { Redis, RedisOptions } from 'ioredis';

/**
 * - `worker`: BullMQ workers (blocking commands): `maxRetriesPerRequest: null`, commands wait for a reconnect.
 * - `producer`: the webhook's enqueue path: fails fast (`enableOfflineQueue: false`)
 *   so Alertmanager gets a 503 at once and retries, instead of a request hanging on a dead Redis (a Redis that
 *   accepts but does not answer is bounded by the intake's own timeout, one timer per batch, not per command).
 * - `store`: proposals, diagnoses records and other keys read and written by workers and handlers.
 */
export type RedisPurpose = 'worker' | 'producer' | 'store';

export interface RedisConnectionOptions {
  /** Where connection errors go; default: a warn-level logger on stderr. */
  logger?: Logger;
  /** The process's one account of Redis outages (src/main.ts shares it); default: one for this connection. */
  outage?: RedisOutageLog;
  /** Extra ioredis options (tests use `lazyConnect`, short retry strategies). */
  extra?: RedisOptions;
}

function purposeOptions(purpose: RedisPurpose): RedisOptions {
  switch (purpose) {
    case 'worker':
      return { maxRetriesPerRequest: null, enableReadyCheck: true };
    case 'producer':
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Reconnect quickly so intake recovers within a second of Redis coming back.
        retryStrategy: (times) => Math.min(times * 100, 1000),
      };
    case 'store':
      return { maxRetriesPerRequest: 3, retryStrategy: (times) => Math.min(times * 200, 2000) };
  }
}

/** Connection settings shared by a URL and a Sentinel setup: credentials, database, TLS. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Opens an ioredis connection configured for `purpose`. With `redisConfig.sentinels` set, it connects through
 * Sentinel to the master named `redisConfig.sentinelName` (credentials and db still come from the URL).
 * Its errors go to `options.outage`: one line when Redis becomes unreachable, summaries, one when it is back.
 */
export function createRedisConnection(
  redisConfig: Config['redis'],
  purpose: RedisPurpose,
  options: RedisConnectionOptions = {},
): Redis {
  const base: RedisOptions = {
    ...urlOptions(redisConfig.url),
    ...purposeOptions(purpose),
    connectionName: `medic-${purpose}`,
    ...options.extra,
  };
  const redis =
    redisConfig.sentinels.length > 0
      ? new Redis({ ...base, sentinels: redisConfig.sentinels, name: redisConfig.sentinelName })
      : new Redis(redisConfig.url, base);
  // An 'error' listener is always attached: an unhandled 'error' event would crash the process (or, in ioredis,
  // print a raw stack trace per reconnect attempt).
  const outage =
    options.outage ??
    createRedisOutageLog({ logger: (options.logger ?? createLogger('warn')).child({ redis: purpose }) });
  redis.on('error', (error: Error) => outage.report(`connection ${purpose}`, error));
  redis.on('ready', () => outage.restored(`connection ${purpose}`));
  return redis;
}

/**
 * Resolves when the connection can take commands. Fails at once when it is down (reconnecting, closed), and
 * after `timeoutMs` when a connection attempt is still under way: intake answers 503 fast instead of waiting.
 */
export async function ensureRedisReady(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status !== 'connecting' && redis.status !== 'connect' && redis.status !== 'wait') {
    throw new Error(`redis connection is ${redis.status}`);
  }
  if (redis.status === 'wait') void redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onClose = () => done(new Error('redis connection closed while connecting'));
    const timer = setTimeout(() => done(new Error(`redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', onReady);
    redis.once('close', onClose);
  });
}
