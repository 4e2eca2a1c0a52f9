/**
 * When a thread's Slack messages get synced. Urgent syncs (a new diagnosis, a click) run at once. Other changes
 * are debounced per thread, across replicas (Redis state, src/store/thread-scripts.ts): one non-urgent pass,
 * which edits every changed message, runs once the thread has been quiet for `quietMs`, or once its oldest change
 * not yet shown is `maxWaitMs` old, whichever comes first, never within `quietMs` of the previous pass, and within
 * the thread's edit budget: one pass per `maxWaitMs` on average with two in hand for quiet, so a thread that keeps
 * pausing longer than `quietMs` is still edited about once per `maxWaitMs`, and a pass in hand shows the final
 * state about `quietMs` after a storm stops (the budget lives in src/store/thread-scripts.ts, DUE_AT).
 *
 * Cheap per change: a change records its time and claims the thread's one pending delayed job (none when one is
 * claimed already). When that job runs and the pass is not due yet, it claims the next one for the new due time
 * and edits nothing; so a quiet period costs a few jobs, not one per change. A crash between the change and the
 * sync loses nothing: a delayed job exists for every change not yet shown; a claim whose job was never queued (its
 * process died in between) is handed to the next change once it is 5 s overdue, which queues the job under the
 * same id (a no-op when it exists), and expires a minute after its run time.
 */
import type { SyncTiming, ThreadStore } from '../store/threads.js';

export interface ThreadSyncJob {
  threadId: string;
  urgentPair?: string;
}

/** Adds a job to the queue that runs thread syncs (src/queue); a job id that exists already is a no-op. */
export type AddSyncJob = (data: ThreadSyncJob, options: { jobId: string; delayMs: number }) => Promise<void>;

export interface SyncScheduler {
  /** `notBefore`: a non-urgent sync that need not run sooner (ThreadStore.claimSync). */
  requestSync(threadId: string, options: { urgent: boolean; urgentPair?: string; notBefore?: number }): Promise<void>;
  /** The debounce a sync's start decides with (ThreadStore.startSync). */
  readonly timing: SyncTiming;
  /** Queues the delayed job of a claim a sync's start made or found (queued already: a no-op). */
  queueClaim(threadId: string, runAt: number): Promise<void>;
  /** Brings the thread's pending claim, if later, forward to `runAt`: its job is queued anew, the old one dropped. */
  advanceClaim(threadId: string, runAt: number): Promise<void>;
}

/** Quiet for 1 s, or 5 s at most (the old one-edit-per-interval pace) while a storm keeps changing the thread. */
export const DEFAULT_SYNC_TIMING: SyncTiming = { quietMs: 1000, maxWaitMs: 5000 };

export function createSyncScheduler(deps: {
  threads: ThreadStore;
  addJob: AddSyncJob;
  /** Drops a delayed sync job that a sooner claim replaced (without it, that job runs and finds nothing due). */
  removeJob?: (jobId: string) => Promise<void>;
  quietMs?: number;
  maxWaitMs?: number;
  now?: () => number;
}): SyncScheduler {
  const now = deps.now ?? Date.now;
  const timing: SyncTiming = {
    quietMs: deps.quietMs ?? DEFAULT_SYNC_TIMING.quietMs,
    maxWaitMs: deps.maxWaitMs ?? DEFAULT_SYNC_TIMING.maxWaitMs,
  };
  let counter = 0;

  const claimJobId = (threadId: string, runAt: number) => `${threadId}-${runAt}`;

  async function queueClaim(threadId: string, runAt: number): Promise<void> {
    try {
      await deps.addJob({ threadId }, { jobId: claimJobId(threadId, runAt), delayMs: Math.max(0, runAt - now()) });
    } catch (error) {
      // Without the job, the pending claim would hold back every later sync until it expires.
      await deps.threads.cancelSyncClaim(threadId);
      throw error;
    }
  }

  return {
    timing,
    queueClaim,
    async advanceClaim(threadId, runAt) {
      const old = await deps.threads.advanceClaim(threadId, now(), runAt);
      if (old === null) return;
      await queueClaim(threadId, runAt);
      // Best effort: a job left behind only re-checks a thread whose claim it no longer holds.
      await deps.removeJob?.(claimJobId(threadId, old)).catch(() => undefined);
    },
    async requestSync(threadId, options) {
      const at = now();
      if (options.urgent) {
        counter += 1;
        const jobId = `${threadId}-u${at}-${process.pid}-${counter}`;
        await deps.addJob(
          { threadId, ...(options.urgentPair ? { urgentPair: options.urgentPair } : {}) },
          { jobId, delayMs: 0 },
        );
        return;
      }
      const runAt = await deps.threads.claimSync(threadId, at, timing, options.notBefore);
      if (runAt !== null) await queueClaim(threadId, runAt);
    },
  };
}
