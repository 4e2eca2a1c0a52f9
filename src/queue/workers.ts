/**
 * Workers run a plain async processor per job. Failure policy: a MedicError with `permanent: true` becomes
 * BullMQ's UnrecoverableError (no retry); anything else is retried with exponential backoff until the job's
 * attempts run out. One sink per worker (the `failed`/`error` listeners) logs and counts failures.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { AlertEvent } from '../alertmanager/payload.js';
import { errorMessage, isMedicError, MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DiagnoseRequest } from '../pipeline/diagnose-request.js';
import type { Redis } from '../store/redis.js';
import { createRedisOutageLog, type RedisOutageLog } from '../store/redis-outage-log.js';
import type { EnqueueResult } from './alert-batcher.js';
import { createJobLedger, watchForOrphans } from './orphans.js';
import {
  ACTIONS_QUEUE,
  type ActionJobData,
  ALERTS_QUEUE,
  type AlertJobData,
  isAlertBatch,
  isDiagnoseRequest,
  isVerifyRequest,
  type VerifyJobData,
} from './queues.js';
import { isSilenceCheck, isSilenceSweep, type SilenceCheckJob } from './silence-jobs.js';

export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /**
   * No earlier run of this job ever started (BullMQ's attemptsStarted is 1): not a retry, and not a job run again
   * after its worker stalled or died, so nothing of it can have been recorded yet.
   */
  firstStart: boolean;
  maxAttempts: number;
  /** Aborted when the worker shuts down and hands the job back. */
  signal: AbortSignal;
  /** Child logger tagged with the queue and job id. */
  logger: Logger;
}

export type JobProcessor<T> = (data: T, context: JobContext) => Promise<void>;

export interface WorkerOptions<T> {
  /** A connection made for workers (src/store/redis.ts, purpose 'worker'); BullMQ duplicates it for blocking. */
  connection: Redis;
  prefix: string;
  processor: JobProcessor<T>;
  concurrency: number;
  logger: Logger;
  metrics: Metrics;
  /** Where the worker's Redis errors go (src/main.ts shares one per process); default: one on `logger`. */
  redisErrors?: RedisOutageLog;
  /** How long close() lets in-flight jobs finish before aborting them so they are retried; default 20 s. */
  shutdownGraceMs?: number;
  /** After a reconnect, how long before (and between) the looks for jobs lost with Redis (./orphans.ts); default 1 s. */
  orphanGraceMs?: number;
}

export interface RunningWorker {
  worker: Worker;
  /** Stops taking jobs, lets in-flight ones finish (or aborts them after the grace period), then closes. */
  close(): Promise<void>;
}

/** A worker on `queueName` with Medic's policy: metrics, lock and stall settings, abort on shutdown, JobContext. */
export function startWorker<T>(queueName: string, options: WorkerOptions<T>): RunningWorker {
  const { metrics } = options;
  const logger = options.logger.child({ queue: queueName });
  const fallbackSignal = new AbortController().signal;
  /** The jobs this worker holds: one active under its token but not held was lost with Redis (./orphans.ts). */
  const ledger = createJobLedger();

  const worker = new Worker<T>(
    queueName,
    async (job: Job<T>, _token?: string, signal?: AbortSignal) => {
      const jobId = job.id ?? '';
      ledger.start(jobId);
      const started = performance.now();
      const context: JobContext = {
        jobId,
        attempt: job.attemptsMade + 1,
        firstStart: job.attemptsStarted <= 1,
        maxAttempts: job.opts.attempts ?? 1,
        signal: signal ?? fallbackSignal,
        logger: logger.child({ jobId }),
      };
      try {
        await options.processor(job.data, context);
        metrics.jobDuration.observe({ queue: queueName, outcome: 'ok' }, (performance.now() - started) / 1000);
      } catch (error) {
        const permanent = isMedicError(error) && error.permanent;
        const outcome = permanent ? 'permanent' : 'retry';
        metrics.jobDuration.observe({ queue: queueName, outcome }, (performance.now() - started) / 1000);
        metrics.jobFailures.inc({ queue: queueName, kind: outcome });
        if (permanent) throw new UnrecoverableError(errorMessage(error));
        throw error instanceof Error ? error : new Error(errorMessage(error));
      } finally {
        ledger.finish(jobId);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      maxStalledCount: 2,
      // A crashed worker's jobs are handed to another once their lock expires and a stalled check runs:
      // BullMQ's defaults (30 s each) made that 60–70 s. The lock is renewed every lockDuration/2 while the
      // job runs, so only an event loop blocked for 15 s could make a live job look stalled.
      lockDuration: 15_000,
      stalledInterval: 10_000,
    },
  );

  worker.on('failed', (job, error) => {
    const attempts = job?.opts.attempts ?? 1;
    const final = error instanceof UnrecoverableError || (job?.attemptsMade ?? 0) >= attempts;
    const details = { jobId: job?.id, attemptsMade: job?.attemptsMade, attempts, err: error };
    if (final) logger.error(details, 'job failed for good');
    else logger.warn(details, 'job failed, will retry');
  });
  const redisErrors = options.redisErrors ?? createRedisOutageLog({ logger });
  worker.on('error', (error) => redisErrors.report(`worker ${queueName}`, error));
  const stopWatching = watchForOrphans(worker, options.connection, ledger, {
    logger,
    ...(options.orphanGraceMs !== undefined ? { graceMs: options.orphanGraceMs } : {}),
  });

  const graceMs = options.shutdownGraceMs ?? 20_000;
  return {
    worker,
    async close() {
      stopWatching();
      const closing = worker.close();
      const timer = setTimeout(() => {
        logger.warn({ graceMs }, 'jobs still running at shutdown; aborting them so they are retried');
        worker.cancelAllJobs('medic is shutting down');
      }, graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** What the `alerts` worker does with each kind of job it finds there. */
export interface AlertJobProcessors {
  /** One alert: the diagnosis job (src/pipeline/process-alert.ts). */
  alert: JobProcessor<AlertEvent>;
  /** A `/medic diagnose` request: the same diagnosis path (src/pipeline/diagnose-request.ts). */
  diagnose: JobProcessor<DiagnoseRequest>;
  /** The check after a successful action (src/incidents/verify.ts); absent where no verifier is wired. */
  verify?: JobProcessor<VerifyJobData['verify']>;
  /** A batch stored at intake: queued as its per-alert jobs (MedicQueues.fanOutAlerts). */
  fanOut(events: AlertEvent[]): Promise<EnqueueResult>;
  /** The silence follower (src/incidents/silence-follow.ts); absent without ALERTMANAGER_URL. */
  silenceCheck?: JobProcessor<SilenceCheckJob>;
  silenceSweep?: (context: JobContext) => Promise<void>;
}

const noFollower = () =>
  new MedicError(
    'CONFIG_INVALID',
    'This worker has no ALERTMANAGER_URL, so it cannot follow silenced alert groups; set it on every worker.',
    { field: 'ALERTMANAGER_URL', permanent: true },
  );

const noVerifier = () =>
  new MedicError('UNAVAILABLE', 'This worker cannot check fixes: no verifier is wired into its alerts worker.', {
    permanent: true,
  });

/** Starts the diagnosis worker on the `alerts` queue; it routes each job to the processor for its kind. */
export function startAlertWorker(
  options: Omit<WorkerOptions<AlertJobData>, 'processor'> & { processors: AlertJobProcessors },
): RunningWorker {
  const { processors, ...rest } = options;
  return startWorker<AlertJobData>(ALERTS_QUEUE, {
    ...rest,
    processor: async (data, context) => {
      if (isAlertBatch(data)) await processors.fanOut(data.batch);
      else if (isDiagnoseRequest(data)) await processors.diagnose(data.diagnose, context);
      else if (isVerifyRequest(data)) {
        if (!processors.verify) throw noVerifier();
        await processors.verify(data.verify, context);
      } else if (isSilenceCheck(data)) {
        if (!processors.silenceCheck) throw noFollower();
        await processors.silenceCheck(data.silenceCheck, context);
      } else if (isSilenceSweep(data)) {
        if (!processors.silenceSweep) throw noFollower();
        await processors.silenceSweep(context);
      } else await processors.alert(data, context);
    },
  });
}

/** Starts the remediation worker on the `actions` queue; its processor receives the proposal id. */
export function startActionWorker(options: WorkerOptions<ActionJobData>): RunningWorker {
  return startWorker(ACTIONS_QUEUE, options);
}
