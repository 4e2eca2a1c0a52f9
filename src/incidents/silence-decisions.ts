/**
 * The silence follower's decisions, pure (src/incidents/silence-follow.ts does the I/O): what a check of a
 * followed group learns from Alertmanager, which silences it must look up, whether the follow goes on, which
 * open groups a sweep finds silenced, and what the group's parent shows.
 */
import type { AlertState } from '../alertmanager/alerts.js';
import type { Silence } from '../alertmanager/silences.js';
import type { FollowedSilence, OpenGroup, SilenceFollow } from '../store/silence-follows.js';

export interface Assessment {
  /** False while Alertmanager has just (re)started: it keeps alerts in memory, so an absence proves nothing. */
  trusted: boolean;
  /** Alerts Medic holds as firing that Alertmanager no longer lists: they ended (resolved or expired). */
  ended: string[];
  /** Alerts Medic holds as firing that Alertmanager still lists. */
  remaining: string[];
  /** The silences that cover at least one remaining alert. */
  covering: string[];
  /** How many remaining alerts a silence covers. */
  silenced: number;
}

export function assessGroup(input: {
  firing: string[];
  listed: AlertState[];
  alertmanagerUpForMs: number;
  restartGraceMs: number;
}): Assessment {
  const listed = new Map(input.listed.map((a) => [a.fingerprint, a]));
  const trusted = input.alertmanagerUpForMs >= input.restartGraceMs;
  const remaining = input.firing.filter((fp) => listed.has(fp));
  const ended = trusted ? input.firing.filter((fp) => !listed.has(fp)) : [];
  const silencedBy = remaining.map((fp) => listed.get(fp)?.status.silencedBy ?? []);
  return {
    trusted,
    ended,
    remaining,
    covering: [...new Set(silencedBy.flat())].sort(),
    silenced: silencedBy.filter((ids) => ids.length > 0).length,
  };
}

/** At most this many silences are looked up per check (a group under more is an odd group). */
const MAX_LOOKUPS = 5;

/**
 * The silences a check must read (`GET /api/v2/silence/{id}`): the followed one while it covers the group (its
 * end may have been moved in place) or covers nothing (has it expired?); the covering ones when another silence
 * took over.
 */
export function silencesToLookUp(follow: SilenceFollow, assessment: Assessment): string[] {
  const id = follow.silence.id;
  if (assessment.covering.includes(id)) return [id];
  if (assessment.covering.length > 0) return assessment.covering.slice(0, MAX_LOOKUPS);
  return [id];
}

export function describeSilence(silence: Silence): FollowedSilence {
  return { id: silence.id, createdBy: silence.createdBy, comment: silence.comment, endsAt: silence.endsAt };
}

const isLive = (s: Silence | null | undefined, now: number): s is Silence =>
  !!s && s.status.state !== 'expired' && Date.parse(s.endsAt) > now;

/** Of several silences, the live one that ends last (the one that decides when the group notifies again). */
export function latestSilence(silences: (Silence | null | undefined)[], now: number): Silence | undefined {
  return silences
    .filter((s): s is Silence => isLive(s, now))
    .sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt))[0];
}

export type FollowStep =
  | { kind: 'stop'; reason: 'ended' | 'silence-over' }
  | { kind: 'continue'; silence: FollowedSilence };

/**
 * After a check: stop when every alert of the group ended, or when no silence covers what still fires and the
 * followed one is over (expired, deleted, past its end); Alertmanager notifies about those alerts again from
 * then on. Otherwise go on with the silence that covers the group (another one when someone replaced it).
 */
export function nextStep(
  follow: SilenceFollow,
  assessment: Assessment,
  lookups: Map<string, Silence | null>,
  now: number,
): FollowStep {
  const id = follow.silence.id;
  const fresh = lookups.get(id);
  const followed = fresh ? describeSilence(fresh) : follow.silence;
  // Just restarted, Alertmanager may not list the alerts again yet: neither their end nor the silence's is known.
  if (!assessment.trusted) return { kind: 'continue', silence: followed };
  if (assessment.remaining.length === 0) return { kind: 'stop', reason: 'ended' };
  if (assessment.covering.includes(id)) return { kind: 'continue', silence: followed };
  const other = latestSilence(
    assessment.covering.map((c) => lookups.get(c)),
    now,
  );
  if (other) return { kind: 'continue', silence: describeSilence(other) };
  // Nothing covers the group now: a silence still live just covers none of the alerts still firing (they were
  // never silenced) or is not applied yet; its end bounds the follow.
  if (isLive(fresh, now)) return { kind: 'continue', silence: followed };
  return { kind: 'stop', reason: 'silence-over' };
}

/** Open groups that are not followed yet and whose every firing alert Alertmanager holds silenced. */
export function silencedGroups(
  open: OpenGroup[],
  suppressed: AlertState[],
  followed: Set<string>,
): { group: OpenGroup; covering: string[] }[] {
  const silencedBy = new Map(suppressed.map((a) => [a.fingerprint, a.status.silencedBy]));
  const found: { group: OpenGroup; covering: string[] }[] = [];
  for (const group of open) {
    if (followed.has(group.id) || group.fingerprints.length === 0) continue;
    const ids = group.fingerprints.map((fp) => silencedBy.get(fp) ?? []);
    if (ids.some((list) => list.length === 0)) continue;
    found.push({ group, covering: [...new Set(ids.flat())].sort() });
  }
  return found;
}

/** What a group's parent shows of its silence. */
export interface GroupSilence {
  /** `medic`: Medic's silence, approved by `approvedBy` (a Slack user id); else made in Alertmanager. */
  source: 'medic' | 'alertmanager';
  approvedBy?: string;
  /** Alertmanager's `createdBy` (free text). */
  createdBy?: string;
  comment?: string;
  /** When the silence ends (ms since epoch). */
  until?: number;
  /** How many of the group's firing alerts it covers, of how many. */
  silenced: number;
  firing: number;
}

/** Nothing to show before the first check has counted the covered alerts, or when it covers none. */
export function groupSilenceOf(follow: SilenceFollow | null): GroupSilence | null {
  if (!follow || follow.silenced === 0) return null;
  const until = follow.silence.endsAt ? Date.parse(follow.silence.endsAt) : Number.NaN;
  return {
    source: follow.source,
    ...(follow.approvedBy ? { approvedBy: follow.approvedBy } : {}),
    ...(follow.silence.createdBy ? { createdBy: follow.silence.createdBy } : {}),
    ...(follow.silence.comment ? { comment: follow.silence.comment } : {}),
    ...(Number.isNaN(until) ? {} : { until }),
    silenced: follow.silenced,
    firing: follow.firing,
  };
}
