/**
 * Silenced alert groups: Alertmanager sends no notification for a silenced alert, not even its resolve, so a
 * thread whose alerts were silenced would stay "firing" for ever. The follower keeps such a group's state in
 * line with Alertmanager's own (`GET /api/v2/alerts`, ALERTMANAGER_URL):
 *  - a `silence` proposal that ran starts a follow of its group (`startFollowing`, from the action runner);
 *  - one sweep per interval (a BullMQ job scheduler: one job across replicas) reads Alertmanager's suppressed
 *    alerts once and starts a follow for each open group whose every firing alert is silenced (a silence made
 *    in Alertmanager's UI); it also re-queues a check that was lost;
 *  - a follow is a chain of delayed check jobs, one group each (`sc-<group>-<due time>`: once across
 *    replicas), that lists the group's alerts with its group labels as `filter`, resolves each alert that
 *    ended as if its resolve had arrived (Incidents.recordResolved, so every view shows it), and stops when all
 *    ended or the silence is over (decisions in silence-decisions.ts).
 * Alertmanager down: the check is simply due again one interval later (the follow is in Redis, nothing is
 * lost), and the failures of every check make one line, a summary a minute and "alertmanager is back".
 */
import type { AlertsClient } from '../alertmanager/alerts.js';
import type { AlertmanagerOutageLog } from '../alertmanager/outage-log.js';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Silence, SilenceClient } from '../alertmanager/silences.js';
import type { Logger } from '../logger.js';
import type { JobContext, SilenceCheckJob } from '../queue/index.js';
import { createdSilenceId, proposalIdOfSilence } from '../remediation/actions/silence.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { SilenceFollow, SilenceFollowStore } from '../store/silence-follows.js';
import type { Incidents, IncidentView } from './incident.js';
import {
  assessGroup,
  describeSilence,
  groupSilenceOf,
  latestSilence,
  nextStep,
  silencedGroups,
  silencesToLookUp,
} from './silence-decisions.js';

/** How often a followed group is checked, and the sweep runs: a resolve shows at most this late. */
export const DEFAULT_SILENCE_CHECK_INTERVAL_MS = 60_000;
/**
 * Alertmanager keeps alerts in memory only; after a restart it lists a firing alert again once Prometheus
 * re-sends it (every minute by default). Until then, an absent alert is not taken for ended.
 */
export const DEFAULT_RESTART_GRACE_MS = 120_000;

export interface SilenceFollowTiming {
  intervalMs: number;
  restartGraceMs: number;
}

/** Queues a check of a group, due in `delayMs` (MedicQueues.scheduleSilenceCheck). */
export type ScheduleCheck = (job: SilenceCheckJob, delayMs: number) => Promise<void>;

/** A `silence` proposal that ran starts the follow of its group; the first check runs at once. */
export async function startFollowing(
  proposal: ProposalRecord,
  deps: { store: SilenceFollowStore; schedule: ScheduleCheck; logger: Logger; now: () => number },
): Promise<void> {
  if (proposal.kind !== 'silence' || proposal.state !== 'done' || !proposal.groupKey) return;
  const id = createdSilenceId(proposal.outcome?.message ?? '');
  const [first] = await deps.store.firingOf(proposal.groupKey);
  if (!id || !first) {
    // Without the silence's id or a firing alert there is nothing to follow; the sweep still finds the group
    // if every alert of it is silenced.
    deps.logger.info({ proposalId: proposal.id, silenceId: id }, 'silence not followed: nothing known to follow');
    return;
  }
  const now = deps.now();
  const follow: SilenceFollow = {
    groupKey: proposal.groupKey,
    groupLabels: first.groupLabels,
    source: 'medic',
    proposalId: proposal.id,
    ...(proposal.approvedBy ? { approvedBy: proposal.approvedBy } : {}),
    silence: { id },
    silenced: 0,
    firing: 0,
    startedAt: now,
    nextAt: now,
  };
  const group = deps.store.groupId(proposal.groupKey);
  // Queued before it is stored: a check that finds no follow does nothing, a follow without its check would wait.
  await deps.schedule({ group, at: now }, 0);
  if (!(await deps.store.startFollow(follow))) {
    deps.logger.info({ proposalId: proposal.id, group }, 'group already followed');
  }
}

export interface SilenceFollowerDeps {
  store: SilenceFollowStore;
  alertmanager: AlertsClient & Pick<SilenceClient, 'getSilence'>;
  schedule: ScheduleCheck;
  proposals: Pick<ProposalStore, 'get'>;
  incidents: Pick<Incidents, 'recordResolved'>;
  view: Pick<IncidentView, 'showSilence'>;
  outage: AlertmanagerOutageLog;
  logger: Logger;
  now: () => number;
  timing: SilenceFollowTiming;
  /** Metrics (silence-service.ts registers them): alerts resolved by a follow, failed Alertmanager calls. */
  counters?: { resolved(): void; failed(check: 'check' | 'sweep'): void };
}

/** The alert as its resolve would have arrived: ended when Medic saw it gone. */
function resolvedEvent(event: AlertEvent, now: number): AlertEvent {
  return {
    ...event,
    alert: { ...event.alert, status: 'resolved', endsAt: new Date(now).toISOString() },
    receivedAt: now,
  };
}

export function createSilenceFollower(deps: SilenceFollowerDeps) {
  const { store, alertmanager, timing } = deps;
  let started: { at: number; readAt: number } | null = null;

  /** Alertmanager's start time, read at most once per interval per process. */
  async function alertmanagerUpForMs(signal: AbortSignal): Promise<number> {
    const now = deps.now();
    if (!started || now - started.readAt >= timing.intervalMs) {
      started = { at: await alertmanager.startedAt(signal), readAt: now };
    }
    return now - started.at;
  }

  async function lookUp(ids: string[], signal: AbortSignal, cache = new Map<string, Silence | null>()) {
    for (const id of ids) {
      if (cache.has(id)) continue;
      const silence = await alertmanager.getSilence(id, signal).catch((error: unknown) => {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      });
      cache.set(id, silence);
    }
    return cache;
  }

  const show = (event: AlertEvent | undefined, follow: SilenceFollow | null) =>
    event && deps.view.showSilence ? deps.view.showSilence(event, groupSilenceOf(follow)) : Promise.resolve();

  async function stop(follow: SilenceFollow, event: AlertEvent | undefined, reason: string): Promise<void> {
    await store.endFollow(follow.groupKey);
    await show(event, null);
    deps.logger.info({ groupKey: follow.groupKey, silenceId: follow.silence.id, reason }, 'silence follow ended');
  }

  /** The next check in one interval; queued first, so a crash in between leaves the chain alive. */
  async function continueWith(follow: SilenceFollow, group: string): Promise<SilenceFollow> {
    const at = deps.now() + timing.intervalMs;
    await deps.schedule({ group, at }, timing.intervalMs);
    const next = { ...follow, nextAt: at };
    await store.saveFollow(next);
    return next;
  }

  async function check(job: SilenceCheckJob, context: JobContext): Promise<void> {
    const follow = await store.getFollow(job.group);
    // No follow (it ended) or a check of an older chain (re-queued by the watchdog): nothing to do.
    if (!follow || follow.nextAt !== job.at) return;
    const events = await store.firingOf(follow.groupKey);
    if (events.length === 0) return stop(follow, undefined, 'no firing alert left');
    let step: ReturnType<typeof nextStep>;
    let assessment: ReturnType<typeof assessGroup>;
    try {
      const listed = await alertmanager.listAlerts({ matchers: follow.groupLabels }, context.signal);
      assessment = assessGroup({
        firing: events.map((e) => e.alert.fingerprint),
        listed,
        alertmanagerUpForMs: await alertmanagerUpForMs(context.signal),
        restartGraceMs: timing.restartGraceMs,
      });
      const lookups = await lookUp(silencesToLookUp(follow, assessment), context.signal);
      step = nextStep(follow, assessment, lookups, deps.now());
      deps.outage.succeeded();
    } catch (error) {
      context.signal.throwIfAborted();
      deps.outage.failed('silence check', error);
      deps.counters?.failed('check');
      await continueWith(follow, job.group);
      return;
    }
    const ended = new Set(assessment.ended);
    for (const event of events) {
      if (!ended.has(event.alert.fingerprint)) continue;
      await deps.incidents.recordResolved(resolvedEvent(event, deps.now()));
      deps.counters?.resolved();
    }
    if (ended.size > 0) deps.logger.info({ groupKey: follow.groupKey, ended: ended.size }, 'silenced alerts ended');
    if (step.kind === 'stop') return stop(follow, events[0], step.reason);
    const updated = {
      ...follow,
      silence: step.silence,
      silenced: assessment.silenced,
      firing: assessment.remaining.length,
    };
    const next = await continueWith(updated, job.group);
    // Shown after the follow is saved: Slack's view reads the group's silence from it when the sync runs.
    const [still] = events.filter((e) => !ended.has(e.alert.fingerprint));
    if (JSON.stringify(groupSilenceOf(follow)) !== JSON.stringify(groupSilenceOf(next))) await show(still, next);
  }

  /** A follow whose check is overdue by two intervals lost its job (failed for good): queue a new one. */
  async function repairChains(followed: string[]): Promise<void> {
    const now = deps.now();
    for (const group of followed) {
      const follow = await store.getFollow(group);
      if (!follow || now - follow.nextAt < 2 * timing.intervalMs) continue;
      deps.logger.warn(
        { groupKey: follow.groupKey, overdueMs: now - follow.nextAt },
        'silence check lost; queued again',
      );
      await deps.schedule({ group, at: now }, 0);
      await store.saveFollow({ ...follow, nextAt: now });
    }
  }

  /** A follow for a group found silenced in Alertmanager: who made the silence and until when. */
  async function adopt(group: { id: string; groupKey: string; fingerprints: string[] }, silence: Silence) {
    const [first] = await store.firingOf(group.groupKey);
    if (!first) return;
    const proposalId = proposalIdOfSilence(silence.comment);
    const proposal = proposalId && silence.createdBy === 'medic' ? await deps.proposals.get(proposalId) : null;
    const now = deps.now();
    const follow: SilenceFollow = {
      groupKey: group.groupKey,
      groupLabels: first.groupLabels,
      source: proposal ? 'medic' : 'alertmanager',
      ...(proposal ? { proposalId: proposal.id } : {}),
      ...(proposal?.approvedBy ? { approvedBy: proposal.approvedBy } : {}),
      silence: describeSilence(silence),
      silenced: group.fingerprints.length,
      firing: group.fingerprints.length,
      startedAt: now,
      nextAt: now + timing.intervalMs,
    };
    await deps.schedule({ group: group.id, at: follow.nextAt }, timing.intervalMs);
    if (!(await store.startFollow(follow))) return;
    deps.logger.info(
      { groupKey: group.groupKey, silenceId: silence.id, source: follow.source },
      'silenced group followed',
    );
    await show(first, follow);
  }

  async function sweep(context: JobContext): Promise<void> {
    const followed = await store.followedGroups();
    await repairChains(followed);
    const open = await store.openGroups();
    const followedSet = new Set(followed);
    if (!open.some((g) => !followedSet.has(g.id))) return;
    let found: ReturnType<typeof silencedGroups>;
    const cache = new Map<string, Silence | null>();
    const chosen = new Map<string, Silence>();
    try {
      const suppressed = await alertmanager.listAlerts({ active: false, unprocessed: false }, context.signal);
      found = silencedGroups(open, suppressed, followedSet);
      for (const { group, covering } of found) {
        await lookUp(covering, context.signal, cache);
        const silence = latestSilence(
          covering.map((id) => cache.get(id)),
          deps.now(),
        );
        if (silence) chosen.set(group.id, silence);
      }
      deps.outage.succeeded();
    } catch (error) {
      context.signal.throwIfAborted();
      deps.outage.failed('silence sweep', error);
      deps.counters?.failed('sweep');
      return;
    }
    for (const { group } of found) {
      const silence = chosen.get(group.id);
      if (silence) await adopt(group, silence);
    }
  }

  return { check, sweep };
}

export type SilenceFollower = ReturnType<typeof createSilenceFollower>;
