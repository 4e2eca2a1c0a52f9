/**
 * The silence follower's parts, built once from ALERTMANAGER_URL (as src/slack/adapter.ts builds Slack's):
 * the store the incident module records each group's firing alerts in, the group's silence for the parent, the
 * start of a follow after a `silence` ran, the follower the `alerts` worker runs, and the sweep's scheduler.
 */
import { Counter, type Registry } from 'prom-client';
import { createAlertsClient } from '../alertmanager/alerts.js';
import { createAlertmanagerOutageLog } from '../alertmanager/outage-log.js';
import { createSilenceClient } from '../alertmanager/silences.js';
import type { Logger } from '../logger.js';
import type { ProposalRecord } from '../store/proposals.js';
import type { SilenceFollowStore } from '../store/silence-follows.js';
import { groupSilenceOf } from './silence-decisions.js';
import {
  createSilenceFollower,
  DEFAULT_RESTART_GRACE_MS,
  DEFAULT_SILENCE_CHECK_INTERVAL_MS,
  type ScheduleCheck,
  type SilenceFollower,
  type SilenceFollowerDeps,
  type SilenceFollowTiming,
  startFollowing,
} from './silence-follow.js';

export function createSilenceService(options: {
  alertmanagerUrl: string;
  store: SilenceFollowStore;
  schedule: ScheduleCheck;
  logger: Logger;
  timing?: Partial<SilenceFollowTiming> | undefined;
  /** Where the follower's metrics go (Metrics.registry); none without it. */
  registry?: Registry;
}) {
  const { logger, store } = options;
  const counters = options.registry ? silenceCounters(options.registry) : undefined;
  const timing = {
    intervalMs: options.timing?.intervalMs ?? DEFAULT_SILENCE_CHECK_INTERVAL_MS,
    restartGraceMs: options.timing?.restartGraceMs ?? DEFAULT_RESTART_GRACE_MS,
  };
  return {
    store,
    timing,
    /** What the parent shows of the group's silence (ThreadSyncDeps.silenceOf). */
    silenceOf: async (groupKey: string) => groupSilenceOf(await store.getFollow(store.groupId(groupKey))),
    /** After an action's outcome (RunActionDeps.afterDone): a `silence` that ran is followed. */
    onActionDone: (proposal: ProposalRecord) =>
      startFollowing(proposal, { store, schedule: options.schedule, logger, now: Date.now }).catch((error: unknown) => {
        // The action ran and is recorded; the sweep still finds the group if every alert of it is silenced.
        logger.warn({ err: error, proposalId: proposal.id }, 'silence follow not started');
      }),
    follower: (deps: Pick<SilenceFollowerDeps, 'incidents' | 'view' | 'proposals'>): SilenceFollower =>
      createSilenceFollower({
        ...deps,
        store,
        alertmanager: {
          ...createAlertsClient(options.alertmanagerUrl),
          getSilence: createSilenceClient(options.alertmanagerUrl).getSilence,
        },
        schedule: options.schedule,
        outage: createAlertmanagerOutageLog({ logger }),
        logger: logger.child({ component: 'silence-follow' }),
        now: Date.now,
        timing,
        ...(counters ? { counters } : {}),
      }),
  };
}

function silenceCounters(registry: Registry) {
  const resolved = new Counter({
    name: 'medic_silenced_alerts_resolved_total',
    help: 'Silenced alerts Medic resolved because Alertmanager stopped listing them (their resolve never arrives)',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'medic_alertmanager_failures_total',
    help: "The silence follower's failed Alertmanager calls, by check (check: one group, sweep: every open group)",
    labelNames: ['check'] as const,
    registers: [registry],
  });
  return {
    resolved: () => resolved.inc(),
    failed: (check: 'check' | 'sweep') => failures.inc({ check }),
  };
}

export type SilenceService = ReturnType<typeof createSilenceService>;

/**
 * Sets the sweep's scheduler in Redis (`everyMs`), or removes it (null: this Medic has no ALERTMANAGER_URL),
 * retrying each minute while Redis does not take it. Returns the cancel for shutdown.
 */
export function keepSweepScheduled(
  scheduleSweep: (everyMs: number | null) => Promise<void>,
  everyMs: number | null,
  logger: Logger,
): () => void {
  let retry: NodeJS.Timeout | undefined;
  let cancelled = false;
  const attempt = () => {
    scheduleSweep(everyMs).catch((error: unknown) => {
      // Shutting down closes the queue under a call still in flight: that is no failure to retry.
      if (cancelled) return;
      logger.warn({ err: error }, 'silence sweep not scheduled yet; retrying in a minute');
      retry = setTimeout(attempt, 60_000).unref();
    });
  };
  attempt();
  return () => {
    cancelled = true;
    clearTimeout(retry);
  };
}
