/**
 * The `slack` queue: thread syncs, the Slack writes for an alert group, coalesced with delayed jobs (src/slack
 * thread-sync.ts). Its worker has the policy of the others (workers.ts: metrics, lock and stall settings,
 * abort on shutdown, JobContext); its jobs retry longer, so a Slack outage delays posts only.
 */
import { Queue } from 'bullmq';
import { createLogger } from '../logger.js';
import type { Redis } from '../store/redis.js';
import { createRedisOutageLog, type RedisOutageLog } from '../store/redis-outage-log.js';
import { type RunningWorker, startWorker, type WorkerOptions } from './workers.js';

export const SLACK_QUEUE = 'slack';

/** One thread to bring up to date; `urgentPair` is a reply to edit at once (a proposal changed). */
export interface SyncThreadJobData {
  threadId: string;
  urgentPair?: string;
}

export interface SlackQueue {
  queue: Queue<SyncThreadJobData>;
  /** Adds a sync; an id that exists already is a no-op. */
  addSync(data: SyncThreadJobData, options: { jobId: string; delayMs?: number }): Promise<void>;
  /** Drops a sync job that has not started (a delayed one a sooner claim replaced); gone already: a no-op. */
  removeSync(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export function createSlackQueue(options: {
  connection: Redis;
  prefix: string;
  /** Attempts per job (default 12: about an hour of Slack outage with the default backoff). */
  attempts?: number;
  backoffMs?: number;
  /** Where the queue's Redis errors go (without a listener BullMQ prints each as a raw stack trace). */
  redisErrors?: RedisOutageLog;
}): SlackQueue {
  const queue = new Queue<SyncThreadJobData>(SLACK_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 12,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 1000, jitter: 0.2 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 7 * 86_400 },
    },
  });
  const redisErrors = options.redisErrors ?? createRedisOutageLog({ logger: createLogger('warn') });
  queue.on('error', (error) => redisErrors.report(`queue ${SLACK_QUEUE}`, error));
  return {
    queue,
    async addSync(data, { jobId, delayMs }) {
      await queue.add('sync-thread', data, { jobId, ...(delayMs ? { delay: delayMs } : {}) });
    },
    async removeSync(jobId) {
      await queue.remove(jobId);
    },
    close: () => queue.close(),
  };
}

/** Starts the thread-sync worker on the `slack` queue. */
export function startSlackWorker(options: WorkerOptions<SyncThreadJobData>): RunningWorker {
  return startWorker(SLACK_QUEUE, options);
}
