/**
 * Coalesces the alerts of webhooks that arrive together into one Redis write. Alertmanager sends many groups
 * at once during an incident; each request's alerts join a batch that is flushed with setImmediate, i.e.
 * after every request whose body was read in the same event-loop turn. One existence check plus one BullMQ
 * addBulk pipeline per batch instead of per request: fewer syscalls and Redis reads, no added wait.
 * Each caller still resolves only once its own alerts are stored, and learns which were duplicates.
 */
import type { Queue } from 'bullmq';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Redis } from '../store/redis.js';
import { alertJobId } from './job-ids.js';

export interface EnqueueResult {
  /** Alerts that became new jobs. */
  accepted: number;
  /** Alerts dropped because the same alert in the same state is already (or was recently) queued. */
  duplicates: number;
  /** One entry per input event, in order: true when it was a duplicate. */
  duplicateFlags: boolean[];
}

interface Pending {
  events: AlertEvent[];
  ids: string[];
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
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
export async function existingJobs(connection: Redis, keys: string[]): Promise<boolean[]> {
  const flags = (await connection.eval(EXISTS_EACH, keys.length, ...keys)) as number[];
  return flags.map((flag) => flag === 1);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface AlertBatcherOptions {
  queue: Queue<AlertEvent>;
  connection: Redis;
  /** A batch not stored within this time fails (the webhook answers 503); default 2000 ms. */
  timeoutMs?: number;
}

export function createAlertBatcher(options: AlertBatcherOptions): (events: AlertEvent[]) => Promise<EnqueueResult> {
  const { queue, connection } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  let pending: Pending[] = [];

  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    // The first copy of each alert in the batch is sent; later copies (same payload or another) are duplicates.
    const owner = new Map<string, Pending>();
    const firstIndex = new Map<string, number>();
    const jobs: { name: string; data: AlertEvent; opts: { jobId: string } }[] = [];
    for (const request of batch) {
      request.ids.forEach((id, index) => {
        if (owner.has(id)) return;
        owner.set(id, request);
        firstIndex.set(id, index);
        const data = request.events[index] as AlertEvent;
        jobs.push({ name: data.alert.status, data, opts: { jobId: id } });
      });
    }
    try {
      const [existed] = await withTimeout(
        Promise.all([
          existingJobs(
            connection,
            jobs.map((job) => queue.toKey(job.opts.jobId)),
          ),
          queue.addBulk(jobs),
        ]),
        timeoutMs,
      );
      const existedById = new Map(jobs.map((job, i) => [job.opts.jobId, existed[i] === true]));
      for (const request of batch) {
        const duplicateFlags = request.ids.map(
          (id, index) => owner.get(id) !== request || firstIndex.get(id) !== index || existedById.get(id) === true,
        );
        const duplicates = duplicateFlags.filter(Boolean).length;
        request.resolve({ accepted: request.events.length - duplicates, duplicates, duplicateFlags });
      }
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  }

  return (events) =>
    new Promise<EnqueueResult>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ events, ids: events.map(alertJobId), resolve, reject });
    });
}
