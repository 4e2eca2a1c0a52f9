/**
 * Jobs a worker was handed but never got. When Redis dies after running BullMQ's moveToActive for a worker but
 * before the reply reaches it, the job stays active under a lock holding that worker's token, which nobody renews
 * or releases. (ioredis resends the unanswered command once Redis is back, so the worker fetches the NEXT job with
 * the same token and carries on.) BullMQ's stalled check hands the job back only once the lock expires and a check
 * sees it (lockDuration 15 s + stalledInterval 10 s, src/queue/workers.ts): the redis-kill fault test drained in
 * ~20 s instead of ~7 s in about one run in three, its last jobs waiting for exactly that.
 *
 * After its connection comes back, each worker gives such jobs back at once: an active job whose lock holds one of
 * ITS tokens (BullMQ's `<worker id>:<n>`) but which it does not hold (not running, nor finished in the last 10 s
 * with its completion maybe still on the way), seen so twice `graceMs` apart (a job just fetched is running within
 * microseconds; the two looks leave any such race a second to settle). Only the worker that issued a token can
 * tell whether it holds the job, so another replica's jobs are never touched.
 */
import { Job, type Worker } from 'bullmq';
import type { Logger } from '../logger.js';
import type { Redis } from '../store/redis.js';

export interface OrphanWatchOptions {
  /** Time between the reconnect and the first look, and between the two looks; default 1 s. */
  graceMs?: number;
  logger: Logger;
}

/**
 * The jobs a worker holds: those it runs, and those it finished in the last FINISHING_MS, whose completion BullMQ may
 * still be writing (a job leaves the processor before moveToFinished reaches Redis, and a reconnect may delay that).
 */
export interface JobLedger {
  start(id: string): void;
  finish(id: string): void;
  holds(id: string): boolean;
}

const FINISHING_MS = 10_000;

export function createJobLedger(now: () => number = Date.now): JobLedger {
  const running = new Set<string>();
  const finished = new Map<string, number>();
  return {
    start(id) {
      finished.delete(id);
      running.add(id);
    },
    finish(id) {
      running.delete(id);
      finished.delete(id);
      finished.set(id, now());
      // Insertion order is finishing order: drop the old ones from the front.
      for (const [old, at] of finished) {
        if (at > now() - FINISHING_MS) break;
        finished.delete(old);
      }
    },
    holds(id) {
      return running.has(id) || (finished.get(id) ?? Number.NEGATIVE_INFINITY) > now() - FINISHING_MS;
    },
  };
}

/** Active jobs locked with one of `worker`'s tokens that it does not hold; token by job id. */
async function orphanedJobs(worker: Worker, client: Redis, ledger: JobLedger): Promise<Map<string, string>> {
  const active = await client.lrange(worker.toKey('active'), 0, -1);
  const candidates = active.filter((id) => !ledger.holds(id));
  if (candidates.length === 0) return new Map();
  const locks = await client.mget(...candidates.map((id) => worker.toKey(`${id}:lock`)));
  const mine = `${worker.id}:`;
  const orphans = new Map<string, string>();
  candidates.forEach((id, i) => {
    const token = locks[i];
    if (token?.startsWith(mine)) orphans.set(id, token);
  });
  return orphans;
}

/** Gives back the jobs `orphanedJobs` finds on two looks `graceMs` apart (same token both times); returns how many. */
export async function releaseOrphans(
  worker: Worker,
  client: Redis,
  ledger: JobLedger,
  graceMs: number,
): Promise<number> {
  const first = await orphanedJobs(worker, client, ledger);
  if (first.size === 0) return 0;
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  const second = await orphanedJobs(worker, client, ledger);
  let released = 0;
  for (const [id, token] of second) {
    if (first.get(id) !== token) continue;
    const job = await Job.fromId(worker, id);
    // The lock must still hold `token` (BullMQ's script checks it): a job meanwhile taken by the stalled check and
    // fetched again is left alone.
    if (job && (await job.moveToWait(token)) >= 0) released += 1;
  }
  return released;
}

/**
 * Watches `connection` (the one the worker was given): after it was lost and is ready again, waits `graceMs` and
 * gives back the worker's orphaned jobs. Returns a function that stops watching.
 */
export function watchForOrphans(
  worker: Worker,
  connection: Redis,
  ledger: JobLedger,
  options: OrphanWatchOptions,
): () => void {
  const graceMs = options.graceMs ?? 1000;
  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  const onClose = () => {
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      releaseOrphans(worker, connection, ledger, graceMs).then(
        (count) => {
          if (count > 0) options.logger.info({ jobs: count }, 'gave back jobs left active when Redis went away');
        },
        // Redis gone again: the next reconnect looks again, and the stalled check remains the backstop.
        (error: unknown) => options.logger.debug({ err: error }, 'could not look for jobs left active'),
      );
    }, graceMs);
    timer.unref();
  };
  connection.on('close', onClose);
  connection.on('ready', onReady);
  return () => {
    clearTimeout(timer);
    connection.off('close', onClose);
    connection.off('ready', onReady);
  };
}
