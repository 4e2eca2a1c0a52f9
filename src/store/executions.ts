/**
 * Remediation executions per namespace over a sliding hour, for the circuit breaker. One sorted set per
 * namespace (`<prefix>:executions:<namespace>`), scored by time, one member per proposal id: counting and
 * recording happen in one Lua script, so concurrent workers can never run more than the limit, and a retried
 * job (same proposal id) is not counted twice.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export const EXECUTION_WINDOW_MS = 3_600_000;

// KEYS[1] = the namespace's set; ARGV = now, window, limit, member.
// Returns {1, count} when recorded (or already recorded), {0, count, oldestScore} when the limit is reached.
const RECORD_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  return {1, redis.call('ZCARD', KEYS[1])}
end
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, count, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, count + 1}
`;

export interface ExecutionVerdict {
  allowed: boolean;
  /** Executions in the last hour, including this one when allowed. */
  count: number;
  /** When refused: the time at which the oldest counted execution leaves the window. */
  retryAt?: number;
}

export interface ExecutionCounter {
  /** Executions recorded for `namespace` in the hour before `now`. */
  count(namespace: string, now: number): Promise<number>;
  /** True when execution `id` is already counted for `namespace` (a retried job). */
  has(namespace: string, id: string): Promise<boolean>;
  /** Atomically records execution `id` unless `limit` executions already happened in the last hour. */
  record(namespace: string, id: string, limit: number, now: number): Promise<ExecutionVerdict>;
}

export function createExecutionCounter(redis: Redis, keyPrefix: string): ExecutionCounter {
  const base = keyPrefix.replace(/:+$/, '');
  const key = (namespace: string) => `${base}:executions:${namespace}`;
  return {
    async count(namespace, now) {
      return redis.zcount(key(namespace), `(${now - EXECUTION_WINDOW_MS}`, '+inf');
    },
    async has(namespace, id) {
      return (await redis.zscore(key(namespace), id)) !== null;
    },
    async record(namespace, id, limit, now) {
      const reply = (await redis.eval(
        RECORD_SCRIPT,
        1,
        key(namespace),
        String(now),
        String(EXECUTION_WINDOW_MS),
        String(limit),
        id,
      )) as [number, number, string?];
      const [allowed, count, oldest] = reply;
      if (allowed === 1) return { allowed: true, count };
      return { allowed: false, count, retryAt: Number(oldest) + EXECUTION_WINDOW_MS };
    },
  };
}

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface ExecutionLock {
  /**
   * Runs `fn` while holding `<prefix>:lock:<name>` across every worker, so changes whose guard rail counts
   * the cluster (nodes cordoned) cannot race between check and apply. Waits up to `waitMs` for the lock, then
   * throws `onBusy()`; the lock expires after `ttlMs` should the holder die.
   */
  run<T>(
    name: string,
    fn: () => Promise<T>,
    options: { waitMs: number; ttlMs: number; onBusy: () => Error },
  ): Promise<T>;
}

export function createExecutionLock(redis: Redis, keyPrefix: string): ExecutionLock {
  const base = keyPrefix.replace(/:+$/, '');
  return {
    async run(name, fn, options) {
      const key = `${base}:lock:${name}`;
      const token = randomUUID();
      const deadline = Date.now() + options.waitMs;
      let pause = 20;
      while ((await redis.set(key, token, 'PX', options.ttlMs, 'NX')) !== 'OK') {
        // Another worker's check-and-apply takes a few API round trips; a short backoff is the only way to wait.
        if (Date.now() + pause > deadline) throw options.onBusy();
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 200);
      }
      try {
        return await fn();
      } finally {
        await redis.eval(RELEASE_SCRIPT, 1, key, token);
      }
    },
  };
}
