/**
 * The two BullMQ queues: `alerts` (one job per alert to diagnose) and `actions` (one job per approved proposal).
 * Only src/queue creates Queues and Workers.
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { AlertEvent } from '../alertmanager/payload.js';
import { MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { DiagnoseRequest } from '../pipeline/diagnose-request.js';
import { ensureRedisReady, type Redis } from '../store/redis.js';
import { createRedisOutageLog, type RedisOutageLog } from '../store/redis-outage-log.js';
import {
  type AlertJobData,
  createAlertBatcher,
  type EnqueueResult,
  fanOutAlerts,
  writeChecked,
} from './alert-batcher.js';
import { actionJobId, verificationJobId } from './job-ids.js';
import { createRepeatLanes } from './lanes.js';
import {
  SILENCE_CHECK_JOB_OPTIONS,
  SILENCE_SWEEP_JOB_OPTIONS,
  SILENCE_SWEEP_SCHEDULER,
  type SilenceCheckJob,
  silenceCheckJobId,
} from './silence-jobs.js';

export type { AlertBatchData, AlertJobData, DiagnoseJobData, EnqueueResult, VerifyJobData } from './alert-batcher.js';
export { isAlertBatch, isDiagnoseRequest, isVerifyRequest } from './alert-batcher.js';

export const ALERTS_QUEUE = 'alerts';
export const ACTIONS_QUEUE = 'actions';

export interface ActionJobData {
  proposalId: string;
}

const DAY_S = 86_400;

export interface QueueOptions {
  /** The producer connection (src/store/redis.ts, purpose 'producer'); closed by the caller, not by close(). */
  connection: Redis;
  /** BullMQ key prefix: `MEDIC_QUEUE_PREFIX` in production, a unique one per test. */
  prefix: string;
  logger?: Logger;
  /** Where the queues' Redis errors go (src/main.ts shares one per process); default: one on `logger`. */
  redisErrors?: RedisOutageLog;
  /** Attempts per alert job (default 5) and per action job (default 3), with exponential backoff. */
  alertAttempts?: number;
  actionAttempts?: number;
  /** First retry delay in ms (doubles each attempt); default 1000. */
  backoffMs?: number;
  /**
   * From this many alerts arriving together on, intake stores them as one batch job that a worker fans out
   * (src/queue/alert-batcher.ts); default DEFAULT_BATCH_THRESHOLD. Infinity: always one job per alert.
   */
  batchThreshold?: number;
}

export interface MedicQueues {
  alerts: Queue<AlertJobData>;
  actions: Queue<ActionJobData>;
  /**
   * Durably queues every event in one Redis round trip (shared with webhooks arriving at the same moment)
   * and resolves only once all are stored. Throws
   * MedicError UNAVAILABLE when Redis cannot take them (the webhook answers 503 and Alertmanager retries).
   */
  enqueueAlerts(events: AlertEvent[]): Promise<EnqueueResult>;
  /**
   * The worker's side of a batch job: queues one job per alert (idempotent by job id) and says which were
   * duplicates. Throws when Redis does not take them (the batch job is then retried).
   */
  fanOutAlerts(events: AlertEvent[]): Promise<EnqueueResult>;
  /** Queues a `/medic diagnose` request as a diagnosis job (jobId from its request id). */
  enqueueDiagnose(request: DiagnoseRequest): Promise<void>;
  /**
   * Schedules the check after proposal `proposalId` ran, `delayMs` from now, on the `alerts` queue; a second
   * call for the same proposal (another replica, a retried action job) is a no-op.
   */
  enqueueVerification(proposalId: string, delayMs: number): Promise<void>;
  /** How many alert jobs wait for a worker (first alerts and repeats): a storm still being taken in. */
  alertsWaiting(): Promise<number>;
  /** Queues a proposal for execution; a second enqueue of the same id is a no-op (`enqueued: false`). */
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
  /** Queues a check of a silenced group, due in `delayMs`; the same check asked twice is one job. */
  scheduleSilenceCheck(job: SilenceCheckJob, delayMs: number): Promise<void>;
  /** Starts (or re-times) the silence sweep: one job per `everyMs` across every replica; null stops it. */
  scheduleSilenceSweep(everyMs: number | null): Promise<void>;
  close(): Promise<void>;
}

function jobOptions(attempts: number, backoffMs: number, keepDays: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.2 },
    // Completed jobs are the dedup memory: they must outlive Alertmanager's repeat_interval (4 h default,
    // 12 h in kube-prometheus), or a repeat notification would be diagnosed again.
    removeOnComplete: { age: keepDays * DAY_S },
    removeOnFail: { age: 7 * DAY_S },
  };
}

function unavailable(error: unknown): MedicError {
  return new MedicError('UNAVAILABLE', 'Redis is unreachable, so the alerts were not queued; retry later.', {
    cause: error,
  });
}

export function createQueues(options: QueueOptions): MedicQueues {
  const { connection, prefix } = options;
  const backoffMs = options.backoffMs ?? 1000;
  const alertJobOptions = jobOptions(options.alertAttempts ?? 5, backoffMs, 2);
  const alerts = new Queue<AlertJobData>(ALERTS_QUEUE, { connection, prefix, defaultJobOptions: alertJobOptions });
  const actions = new Queue<ActionJobData>(ACTIONS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: jobOptions(options.actionAttempts ?? 3, backoffMs, 7),
  });
  // Without a listener BullMQ prints every connection error as a raw stack trace on stderr.
  const redisErrors =
    options.redisErrors ?? (options.logger ? createRedisOutageLog({ logger: options.logger }) : undefined);
  for (const queue of [alerts, actions]) {
    queue.on('error', (error) => redisErrors?.report(`queue ${queue.name}`, error));
  }

  const lanes = createRepeatLanes();
  const enqueueBatched = createAlertBatcher({
    queue: alerts,
    connection,
    lanes,
    ...(options.batchThreshold === undefined ? {} : { batchThreshold: options.batchThreshold }),
    // A batch job is only a hand-over: once fanned out, the per-alert jobs are the record and the dedup memory.
    // Its fan-out fails only when Redis does, and it carries many alerts, so it retries longer than an alert
    // (10 attempts from 1 s doubling: about 17 minutes) before it is left in the failed set.
    batchJobOptions: { ...alertJobOptions, attempts: Math.max(10, options.alertAttempts ?? 5), removeOnComplete: true },
  });

  async function enqueueAlerts(events: AlertEvent[]): Promise<EnqueueResult> {
    await ensureRedisReady(connection).catch((error: unknown) => {
      throw unavailable(error);
    });
    try {
      return await enqueueBatched(events);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async function enqueueAction(proposalId: string): Promise<{ enqueued: boolean }> {
    const jobId = actionJobId(proposalId);
    await ensureRedisReady(connection).catch((error: unknown) => {
      throw unavailable(error);
    });
    try {
      const existed = await writeChecked(connection, [actions.toKey(jobId)], () =>
        actions.add('execute', { proposalId }, { jobId }),
      );
      return { enqueued: existed[0] !== true };
    } catch (error) {
      throw unavailable(error);
    }
  }

  return {
    alerts,
    actions,
    enqueueAlerts,
    async alertsWaiting() {
      const counts = await alerts.getJobCounts('wait', 'prioritized');
      return (counts.wait ?? 0) + (counts.prioritized ?? 0);
    },
    async fanOutAlerts(events) {
      await ensureRedisReady(connection);
      return fanOutAlerts(alerts, connection, events, lanes);
    },
    async enqueueDiagnose(request) {
      await ensureRedisReady(connection).catch((error: unknown) => {
        throw unavailable(error);
      });
      await alerts.add('diagnose', { diagnose: request }, { jobId: `diagnose-${request.requestId}` });
    },
    async enqueueVerification(proposalId, delayMs) {
      await ensureRedisReady(connection).catch((error: unknown) => {
        throw unavailable(error);
      });
      const jobId = verificationJobId(proposalId);
      await alerts.add('verify', { verify: { proposalId } }, { jobId, delay: Math.max(0, delayMs) });
    },
    enqueueAction,
    async scheduleSilenceCheck(job, delayMs) {
      await alerts.add(
        'silence-check',
        { silenceCheck: job },
        {
          ...SILENCE_CHECK_JOB_OPTIONS,
          jobId: silenceCheckJobId(job),
          ...(delayMs > 0 ? { delay: delayMs } : {}),
        },
      );
    },
    async scheduleSilenceSweep(everyMs) {
      if (everyMs === null) {
        await alerts.removeJobScheduler(SILENCE_SWEEP_SCHEDULER);
        return;
      }
      await alerts.upsertJobScheduler(
        SILENCE_SWEEP_SCHEDULER,
        { every: everyMs },
        { name: 'silence-sweep', data: { silenceSweep: true }, opts: SILENCE_SWEEP_JOB_OPTIONS },
      );
    },
    async close() {
      await Promise.all([alerts.close(), actions.close()]);
    },
  };
}
