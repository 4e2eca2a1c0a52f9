/**
 * When a thread's Slack messages get synced. Urgent syncs (a new diagnosis, a click) run at once; other
 * changes share one pending sync per thread, run no sooner than `intervalMs` after the previous one — a
 * delayed queue job, so a crash between the change and the sync loses nothing.
 */
import type { ThreadStore } from '../store/threads.js';

export interface ThreadSyncJob {
  threadId: string;
  urgentPair?: string;
}

/** Adds a job to the queue that runs thread syncs (src/queue); a job id that exists already is a no-op. */
export type AddSyncJob = (data: ThreadSyncJob, options: { jobId: string; delayMs: number }) => Promise<void>;

export interface SyncScheduler {
  requestSync(threadId: string, options: { urgent: boolean; urgentPair?: string }): Promise<void>;
}

export function createSyncScheduler(deps: {
  threads: ThreadStore;
  addJob: AddSyncJob;
  intervalMs?: number;
  now?: () => number;
}): SyncScheduler {
  const now = deps.now ?? Date.now;
  const interval = deps.intervalMs ?? 5000;
  let counter = 0;
  return {
    async requestSync(threadId, options) {
      const at = now();
      if (options.urgent) {
        counter += 1;
        const jobId = `${threadId}-u${at}-${process.pid}-${counter}`;
        await deps.addJob(
          { threadId, ...(options.urgentPair ? { urgentPair: options.urgentPair } : {}) },
          {
            jobId,
            delayMs: 0,
          },
        );
        return;
      }
      const runAt = await deps.threads.claimSync(threadId, at, interval);
      if (runAt === null) return;
      try {
        await deps.addJob({ threadId }, { jobId: `${threadId}-${runAt}`, delayMs: Math.max(0, runAt - at) });
      } catch (error) {
        // Without the job, the pending mark would hold back every later sync until it expires.
        await deps.threads.cancelSyncClaim(threadId);
        throw error;
      }
    },
  };
}
