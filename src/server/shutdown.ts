/**
 * A bounded shutdown. Closing BullMQ workers, queues and ioredis connections waits for Redis (a QUIT, a last
 * lock release); with Redis gone those waits never end, and the pod sat in Terminating until the kubelet
 * killed it. So the graceful close gets a deadline, after which every connection is dropped without waiting.
 */
import type { Logger } from '../logger.js';

export interface BoundedCloseOptions {
  /** How long the graceful close may take. */
  deadlineMs: number;
  /** Drops every connection at once (ioredis `disconnect()`): pending Redis commands fail instead of waiting. */
  force: () => void;
  /** After `force`, how long the close may still take before it is given up; default 2 s. */
  afterForceMs?: number;
  logger: Logger;
  /** Why the deadline is what it is, for the log line. */
  reason: string;
}

const settle = (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = promise.then(
    () => true,
    () => true,
  );
  return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
};

/** Runs `close` within the deadline; returns true when it finished by itself, false when it had to be forced. */
export async function closeWithin(close: Promise<void>, options: BoundedCloseOptions): Promise<boolean> {
  close.catch((error: unknown) => options.logger.warn({ err: error }, 'error while shutting down'));
  if (await settle(close, options.deadlineMs)) return true;
  options.logger.warn(
    { deadlineMs: options.deadlineMs, reason: options.reason },
    'shutdown did not finish in time; dropping Redis connections without waiting (unfinished jobs are retried)',
  );
  options.force();
  await settle(close, options.afterForceMs ?? 2000);
  return false;
}
