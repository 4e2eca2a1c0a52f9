/**
 * The `slack` queue: thread syncs (the Slack writes for an alert group, coalesced with delayed jobs) and
 * on-demand `/medic diagnose` requests. Same failure policy as the other workers: a permanent MedicError
 * is not retried, anything else retries with exponential backoff, so a Slack outage delays posts only.
 */
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { errorMessage, isMedicError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Redis } from '../store/redis.js';
import { createRedisOutageLog, type RedisOutageLog } from '../store/redis-outage-log.js';

export const SLACK_QUEUE = 'slack';

export type SlackJob =
  | { name: 'sync-thread'; data: { threadId: string; urgentPair?: string } }
  | { name: 'diagnose'; data: Record<string, unknown> };

export interface SlackQueue {
  queue: Queue;
  /** Adds a job; an id that exists already is a no-op. */
  add(job: SlackJob, options: { jobId: string; delayMs?: number }): Promise<void>;
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
  const queue = new Queue(SLACK_QUEUE, {
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
    async add(job, { jobId, delayMs }) {
      await queue.add(job.name, job.data, { jobId, ...(delayMs ? { delay: delayMs } : {}) });
    },
    close: () => queue.close(),
  };
}

export type SlackJobProcessors = {
  [K in SlackJob['name']]: (data: Extract<SlackJob, { name: K }>['data'], log: Logger) => Promise<void>;
};

export function startSlackWorker(options: {
  connection: Redis;
  prefix: string;
  processors: SlackJobProcessors;
  concurrency: number;
  logger: Logger;
  redisErrors?: RedisOutageLog;
}): { worker: Worker; close(): Promise<void> } {
  const logger = options.logger.child({ queue: SLACK_QUEUE });
  const worker = new Worker(
    SLACK_QUEUE,
    async (job: Job) => {
      const log = logger.child({ jobId: job.id, job: job.name });
      const processor = options.processors[job.name as SlackJob['name']] as
        | ((data: unknown, log: Logger) => Promise<void>)
        | undefined;
      if (!processor) throw new UnrecoverableError(`unknown slack job "${job.name}"`);
      try {
        await processor(job.data, log);
      } catch (error) {
        if (isMedicError(error) && error.permanent) throw new UnrecoverableError(errorMessage(error));
        throw error instanceof Error ? error : new Error(errorMessage(error));
      }
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  worker.on('failed', (job, error) => {
    const final = error instanceof UnrecoverableError || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1);
    const details = { jobId: job?.id, attemptsMade: job?.attemptsMade, err: error };
    if (final) logger.error(details, 'slack job failed for good');
    else logger.warn(details, 'slack job failed, will retry');
  });
  const redisErrors = options.redisErrors ?? createRedisOutageLog({ logger });
  worker.on('error', (error) => redisErrors.report(`worker ${SLACK_QUEUE}`, error));
  return { worker, close: () => worker.close() };
}
