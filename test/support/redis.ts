/**
 * Real Redis for tests: a unique key prefix per test (cleaned after), connections made the way Medic makes
 * them, and a private `redis-server` on its own port for tests that stop and restart Redis.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Config } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createRedisConnection, type Redis, type RedisPurpose } from '../../src/store/redis.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const silentLogger = createLogger('silent');

export function redisConfig(url = TEST_REDIS_URL): Config['redis'] {
  return { url, sentinels: [], sentinelName: 'mymaster' };
}

/** A prefix no other test uses, e.g. `medic-test-3f9a0c1b`. */
export function uniquePrefix(label = 'test'): string {
  return `medic-${label}-${randomBytes(4).toString('hex')}`;
}

export function connect(purpose: RedisPurpose, url = TEST_REDIS_URL): Redis {
  return createRedisConnection(redisConfig(url), purpose, { logger: silentLogger });
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

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A private redis-server the test may stop and start again on the same port. */
export class PrivateRedis {
  private process: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.process = child;
    let output = '';
    child.stdout?.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    this.process = null;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
