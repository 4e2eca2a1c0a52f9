/**
 * Whether a storm is still coming in, for the thread sync (src/slack/thread-sync.ts): alerts waiting for a worker
 * mean a thread quiet for a moment has not settled, so a pass leaves reply lists that alone changed for later.
 * Such a thread's look back is claimed a max wait on (in Redis: it survives this process); this watch brings it
 * forward to the moment no alert waits any more, so the lists show about a quiet period after the storm is taken
 * in, not a max wait after. One read of the queue per ALERTS_WAITING_TTL_MS, whichever pass or poll asks.
 */
import type { Logger } from '../logger.js';

/** How long one answer of `alertsWaiting` serves every pass and poll of this process. */
const ALERTS_WAITING_TTL_MS = 250;
/** Threads watched at most; past it, a thread's claim (a max wait on) still shows its lists. */
const MAX_WATCHED = 10_000;

export interface SettleWatchDeps {
  /** How many alerts wait for a worker (MedicQueues.alertsWaiting); absent: a storm is never seen coming. */
  alertsWaiting?: (() => Promise<number>) | undefined;
  /** Brings a thread's pending claim forward to `runAt` (SyncScheduler.advanceClaim). */
  advanceClaim: (threadId: string, runAt: number) => Promise<void>;
  quietMs: number;
  logger: Logger;
  now: () => number;
}

export interface SettleWatch {
  /** Whether alerts wait for a worker. A failed read says no: the pass then shows every list. */
  alertsComing(): Promise<boolean>;
  /**
   * A pass at `leftAt` left `threadId`'s lists because alerts were coming: sync it once none are. The poll stops
   * by itself once nothing is watched, and never keeps the process alive.
   */
  waitForCalm(threadId: string, leftAt: number): void;
}

export function createSettleWatch(deps: SettleWatchDeps): SettleWatch {
  const { now } = deps;
  let cached: { at: number; answer: Promise<boolean> } | undefined;
  const watched = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  function alertsComing(): Promise<boolean> {
    const { alertsWaiting } = deps;
    if (!alertsWaiting) return Promise.resolve(false);
    if (cached && now() - cached.at < ALERTS_WAITING_TTL_MS) return cached.answer;
    const answer = alertsWaiting().then(
      (n) => n > 0,
      () => false,
    );
    cached = { at: now(), answer };
    return answer;
  }

  async function poll(): Promise<void> {
    if (await alertsComing()) return;
    const due = [...watched];
    watched.clear();
    stop();
    // Each look back runs no sooner than a quiet period after the pass that left it: by then that pass's changes
    // are old enough to be due, and the thread, quiet since, settled.
    const results = await Promise.allSettled(
      due.map(([threadId, leftAt]) => deps.advanceClaim(threadId, Math.max(now(), leftAt + deps.quietMs))),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) {
      deps.logger.warn(
        { threads: failed },
        'could not bring forward the settle pass of some threads; their lists show a max wait later',
      );
    }
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  return {
    alertsComing,
    waitForCalm(threadId, leftAt) {
      if (!deps.alertsWaiting || (watched.size >= MAX_WATCHED && !watched.has(threadId))) return;
      watched.set(threadId, leftAt);
      if (timer) return;
      timer = setInterval(() => {
        void poll();
      }, ALERTS_WAITING_TTL_MS);
      timer.unref();
    },
  };
}
