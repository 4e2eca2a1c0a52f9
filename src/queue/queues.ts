/**
 * The two BullMQ queues: `alerts` (one job per alert to diagnose) and `actions` (one job per approved proposal).
 * Only src/queue creates Queues and Workers.
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { AlertEvent } from '../alertmanager/payload.js';
import { MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ensureRedisReady, type Redis } from '../store/redis.js';
import { actionJobId, alertJobId } from './job-ids.js';

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
  /** Attempts per alert job (default 5) and per action job (default 3), with exponential backoff. */
  alertAttempts?: number;
  actionAttempts?: number;
  /** First retry delay in ms (doubles each attempt); default 1000. */
  backoffMs?: number;
}

export interface EnqueueResult {
  /** Alerts that became new jobs. */
  accepted: number;
  /** Alerts dropped because the same alert in the same state is already (or was recently) queued. */
  duplicates: number;
  /** One entry per input event, in order: true when it was a duplicate. */
  duplicateFlags: boolean[];
}

export interface MedicQueues {
  alerts: Queue<AlertEvent>;
  actions: Queue<ActionJobData>;
  /**
   * Durably queues every event in one Redis round trip and resolves only once all are stored. Throws
   * MedicError UNAVAILABLE when Redis cannot take them (the webhook answers 503 and Alertmanager retries).
   */
  enqueueAlerts(events: AlertEvent[]): Promise<EnqueueResult>;
  /** Queues a proposal for execution; a second enqueue of the same id is a no-op (`enqueued: false`). */
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
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

/** One command that answers, per key, whether it exists (EXISTS with several keys only gives a total). */
const EXISTS_EACH = "local r = {} for i, key in ipairs(KEYS) do r[i] = redis.call('EXISTS', key) end return r";

/**
 * Asks whether each job key exists on the same connection, right before BullMQ's own addBulk pipeline.
 * Both are written back to back without awaiting in between, so this costs no extra round trip.
 * BullMQ's addBulk returns the requested id whether or not the job already existed (its Lua script only
 * emits a `duplicated` event), so this is how intake learns what was a duplicate. Another Medic replica
 * adding the same alert in between can make the count low by one; the dedup itself stays exact.
 */
async function existingJobs(connection: Redis, keys: string[]): Promise<boolean[]> {
  const flags = (await connection.eval(EXISTS_EACH, keys.length, ...keys)) as number[];
  return flags.map((flag) => flag === 1);
}

export function createQueues(options: QueueOptions): MedicQueues {
  const { connection, prefix } = options;
  const backoffMs = options.backoffMs ?? 1000;
  const alerts = new Queue<AlertEvent>(ALERTS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: jobOptions(options.alertAttempts ?? 5, backoffMs, 2),
  });
  const actions = new Queue<ActionJobData>(ACTIONS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: jobOptions(options.actionAttempts ?? 3, backoffMs, 7),
  });
  for (const queue of [alerts, actions]) {
    queue.on('error', (error) => options.logger?.warn({ err: error, queue: queue.name }, 'queue error'));
  }

  async function enqueueAlerts(events: AlertEvent[]): Promise<EnqueueResult> {
    await ensureRedisReady(connection).catch((error: unknown) => {
      throw unavailable(error);
    });
    // Copies of one alert inside a payload are duplicates too; only the first copy is sent.
    const firstIndex = new Map<string, number>();
    const ids = events.map((event, index) => {
      const id = alertJobId(event);
      if (!firstIndex.has(id)) firstIndex.set(id, index);
      return id;
    });
    const unique = [...firstIndex.entries()];
    try {
      const [existed] = await Promise.all([
        existingJobs(
          connection,
          unique.map(([id]) => alerts.toKey(id)),
        ),
        alerts.addBulk(
          unique.map(([id, index]) => {
            const event = events[index] as AlertEvent;
            return { name: event.alert.status, data: event, opts: { jobId: id } };
          }),
        ),
      ]);
      const existedById = new Map(unique.map(([id], i) => [id, existed[i] === true]));
      const duplicateFlags = ids.map((id, index) => firstIndex.get(id) !== index || existedById.get(id) === true);
      const duplicates = duplicateFlags.filter(Boolean).length;
      return { accepted: events.length - duplicates, duplicates, duplicateFlags };
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
      const [existed] = await Promise.all([
        existingJobs(connection, [actions.toKey(jobId)]),
        actions.add('execute', { proposalId }, { jobId }),
      ]);
      return { enqueued: existed[0] !== true };
    } catch (error) {
      throw unavailable(error);
    }
  }

  return {
    alerts,
    actions,
    enqueueAlerts,
    enqueueAction,
    async close() {
      await Promise.all([alerts.close(), actions.close()]);
    },
  };
}
