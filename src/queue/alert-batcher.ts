/**
 * Coalesces the alerts of webhooks that arrive together into one Redis write. Alertmanager sends many groups
 * at once during an incident; each request's alerts join a batch that is flushed with setImmediate, i.e.
 * after every request whose body was read in the same event-loop turn. One existence check plus one write
 * per batch instead of per request: fewer syscalls and Redis reads, no added wait.
 * Each caller still resolves only once its own alerts are stored, and learns which were duplicates.
 *
 * The write depends on the batch's size. A few alerts become their per-alert jobs at once (one BullMQ
 * addBulk). From `batchThreshold` alerts on — an alert storm, a big group — the whole batch is stored as ONE
 * job on the same `alerts` queue (`{ batch: [...] }`), which a worker fans out into the per-alert jobs
 * (`fanOutAlerts`). Writing one job instead of hundreds keeps the webhook's answer fast and cheap however
 * many alerts a notification carries: building BullMQ jobs costs ~30–40 µs of CPU per job in this process,
 * which at storm rates was most of intake's cost. The batch job is durable like any job, and the fan-out
 * is idempotent (per-alert job ids), so a fan-out retried after a crash queues nothing twice. The answer's
 * duplicates are those known on arrival: copies within the batch and alerts whose job exists. Copies of an
 * alert in two batches not yet fanned out are both answered as accepted; the fan-out still queues one job.
 */
import type { JobsOptions, Queue } from 'bullmq';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { DiagnoseRequest } from '../pipeline/diagnose-request.js';
import type { Redis } from '../store/redis.js';
import { alertJobId } from './job-ids.js';
import type { RepeatLanes } from './lanes.js';
import type { SilenceCheckJobData, SilenceSweepJobData } from './silence-jobs.js';

/** A batch of alerts stored as one job on the `alerts` queue, to be fanned out into per-alert jobs. */
export interface AlertBatchData {
  batch: AlertEvent[];
}

/** A `/medic diagnose` request (src/pipeline/diagnose-request.ts), diagnosed like an alert. */
export interface DiagnoseJobData {
  diagnose: DiagnoseRequest;
}

/** The check after a successful action (src/incidents/verify.ts): its proposal names everything else. */
export interface VerifyJobData {
  verify: { proposalId: string };
}

/**
 * What an `alerts` job carries: one alert to diagnose, a batch to fan out, a `/medic diagnose` request, the check
 * after an action (a diagnosis too: the same engine, workers and concurrency), or a job of the silence follower
 * (src/queue/silence-jobs.ts).
 */
export type AlertJobData =
  | AlertEvent
  | AlertBatchData
  | DiagnoseJobData
  | VerifyJobData
  | SilenceCheckJobData
  | SilenceSweepJobData;

export function isAlertBatch(data: AlertJobData): data is AlertBatchData {
  return Array.isArray((data as Partial<AlertBatchData>).batch);
}

export function isDiagnoseRequest(data: AlertJobData): data is DiagnoseJobData {
  return typeof (data as Partial<DiagnoseJobData>).diagnose === 'object';
}

export function isVerifyRequest(data: AlertJobData): data is VerifyJobData {
  return typeof (data as Partial<VerifyJobData>).verify === 'object';
}

/** The name of batch jobs (per-alert jobs are named after the alert's status). */
export const ALERT_BATCH_JOB = 'batch';

/** Default size from which a flush is stored as one batch job. */
export const DEFAULT_BATCH_THRESHOLD = 8;

export interface EnqueueResult {
  /** Alerts that became new jobs. */
  accepted: number;
  /** Alerts dropped because the same alert in the same state is already (or was recently) queued. */
  duplicates: number;
  /** One entry per input event, in order: true when it was a duplicate. */
  duplicateFlags: boolean[];
}

/** The alerts of one webhook (or one batch job) and their job ids, in order. */
interface AlertList {
  events: AlertEvent[];
  ids: string[];
}

interface Pending extends AlertList {
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

/** One command that answers, per key, whether it exists (EXISTS with several keys only gives a total). */
const EXISTS_EACH = "local r = {} for i, key in ipairs(KEYS) do r[i] = redis.call('EXISTS', key) end return r";

/**
 * Asks whether each job key exists (see writeChecked, which sends it right before BullMQ's own write).
 * BullMQ's add and addBulk return the requested id whether or not the job already existed (its Lua script only
 * emits a `duplicated` event), so this is how intake learns what was a duplicate. Another Medic replica
 * adding the same alert in between can make the count low by one; the dedup itself stays exact.
 */
async function existingJobs(connection: Redis, keys: string[]): Promise<boolean[]> {
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
  queue: Queue<AlertJobData>;
  connection: Redis;
  /** A batch not stored within this time fails (the webhook answers 503); default 2000 ms. */
  timeoutMs?: number;
  /** From this many distinct alerts in one flush on, store them as one batch job; default DEFAULT_BATCH_THRESHOLD. */
  batchThreshold?: number;
  /** Options of batch jobs (attempts, backoff); they are removed once fanned out. */
  batchJobOptions?: JobsOptions;
  /** Puts repeats of a queued incident behind first alerts (./lanes.ts). */
  lanes?: RepeatLanes;
}

/**
 * Sends the existence check of `keys`, then `write`, on the same connection and without awaiting in between
 * (no extra round trip), and resolves to which keys existed before the write.
 */
export function writeChecked(connection: Redis, keys: string[], write: () => Promise<unknown>): Promise<boolean[]> {
  const existed = existingJobs(connection, keys);
  return Promise.all([existed, write()]).then(([flags]) => flags);
}

const jobKeys = (queue: Queue<AlertJobData>, alerts: AlertList) => alerts.ids.map((id) => queue.toKey(id));

/**
 * Per-alert jobs for `alerts` (already unique), in one addBulk pipeline; resolves to which existed. Repeats of
 * an incident already queued go to the slower lane (./lanes.ts) when `lanes` is given.
 */
function addAlertJobs(
  queue: Queue<AlertJobData>,
  connection: Redis,
  alerts: AlertList,
  lanes?: RepeatLanes,
): Promise<boolean[]> {
  const jobs = alerts.events.map((data, index) => {
    const priority = lanes?.priorityOf(data);
    return {
      name: data.alert.status,
      data,
      opts: { jobId: alerts.ids[index] as string, ...(priority ? { priority } : {}) },
    };
  });
  return writeChecked(connection, jobKeys(queue, alerts), () => queue.addBulk(jobs));
}

/**
 * Stores the alerts of several lists with one `write` of their distinct alerts (the first copy of each; later
 * copies, in the same list or another, are duplicates), and answers each list for its own alerts.
 * `write` resolves to whether each alert's job existed already.
 */
async function storeAlerts(
  lists: AlertList[],
  write: (alerts: AlertList) => Promise<boolean[]>,
): Promise<EnqueueResult[]> {
  const owner = new Map<string, { list: AlertList; index: number }>();
  const distinct: AlertList = { events: [], ids: [] };
  for (const list of lists) {
    list.ids.forEach((id, index) => {
      if (owner.has(id)) return;
      owner.set(id, { list, index });
      distinct.events.push(list.events[index] as AlertEvent);
      distinct.ids.push(id);
    });
  }
  const existed = await write(distinct);
  const existedById = new Map(distinct.ids.map((id, i) => [id, existed[i] === true]));
  return lists.map((list) => {
    const duplicateFlags = list.ids.map((id, index) => {
      const first = owner.get(id);
      return first?.list !== list || first.index !== index || existedById.get(id) === true;
    });
    const duplicates = duplicateFlags.filter(Boolean).length;
    return { accepted: list.events.length - duplicates, duplicates, duplicateFlags };
  });
}

/**
 * Fans a batch job out into its per-alert jobs (the worker's side of a batch). Idempotent: alerts whose job
 * exists already — queued by an earlier run of this fan-out, another batch or another replica — are
 * duplicates and queue nothing.
 */
export async function fanOutAlerts(
  queue: Queue<AlertJobData>,
  connection: Redis,
  events: AlertEvent[],
  lanes?: RepeatLanes,
): Promise<EnqueueResult> {
  const [result] = await storeAlerts([{ events, ids: events.map(alertJobId) }], (alerts) =>
    addAlertJobs(queue, connection, alerts, lanes),
  );
  return result as EnqueueResult;
}

export function createAlertBatcher(options: AlertBatcherOptions): (events: AlertEvent[]) => Promise<EnqueueResult> {
  const { queue, connection } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const batchThreshold = options.batchThreshold ?? DEFAULT_BATCH_THRESHOLD;
  let pending: Pending[] = [];

  /** One batch job holding every alert, plus the existence check the answer needs, in one round trip. */
  const addBatchJob = (alerts: AlertList) =>
    writeChecked(connection, jobKeys(queue, alerts), () =>
      queue.add(ALERT_BATCH_JOB, { batch: alerts.events }, options.batchJobOptions),
    );

  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    try {
      const results = await storeAlerts(batch, (alerts) =>
        withTimeout(
          alerts.ids.length < batchThreshold
            ? addAlertJobs(queue, connection, alerts, options.lanes)
            : addBatchJob(alerts),
          timeoutMs,
        ),
      );
      batch.forEach((request, index) => {
        request.resolve(results[index] as EnqueueResult);
      });
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
