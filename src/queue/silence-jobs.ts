/**
 * The silence follower's jobs (src/incidents/silence-follow.ts) on the `alerts` queue, beside the diagnoses:
 *  - a check of one followed group: a delayed job whose id is made from the group and the time it is due
 *    (`sc-<group>-<at>`), so every replica that asks for the same check queues one job;
 *  - the sweep: one BullMQ job scheduler (`silence-sweep`), which makes one job per interval whatever the
 *    number of replicas (its job ids are `repeat:silence-sweep:<time>`), and survives restarts in Redis.
 */
/** One check of a followed group: `group` is the follow store's group id, `at` the time it is due. */
export interface SilenceCheckJob {
  group: string;
  at: number;
}

export interface SilenceCheckJobData {
  silenceCheck: SilenceCheckJob;
}

export interface SilenceSweepJobData {
  silenceSweep: true;
}

export const SILENCE_SWEEP_SCHEDULER = 'silence-sweep';

export function isSilenceCheck(data: unknown): data is SilenceCheckJobData {
  return typeof (data as Partial<SilenceCheckJobData>).silenceCheck === 'object';
}

export function isSilenceSweep(data: unknown): data is SilenceSweepJobData {
  return (data as Partial<SilenceSweepJobData>).silenceSweep === true;
}

// A check is a poll: its record is the follow in Redis, so finished jobs need not be kept long.
export const SILENCE_CHECK_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1000, jitter: 0.2 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 86_400 },
};

export function silenceCheckJobId(job: SilenceCheckJob): string {
  return `sc-${job.group}-${job.at}`;
}

export const SILENCE_SWEEP_JOB_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 3600, count: 100 },
  removeOnFail: { age: 86_400, count: 100 },
};
