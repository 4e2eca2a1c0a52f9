/**
 * What a running container's current log says: its telling lines given the crash readings (crash-readings.ts) — an
 * RBAC denial, credentials the server rejects (for a running container, an environment older than a Secret
 * rotation), a certificate, a connection a NetworkPolicy drops, a missing variable, a process limit. Used for a
 * failing readiness probe (probe-failure) and as UNKNOWN's last finder, for pods that run and are Ready while their
 * app fails. Nothing is found, and no claim is made, when the log says none of these.
 */
import type { Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { crashReadings } from './crash-readings.js';
import { logEvidence, tellingLogLines } from './logs.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, containersOf, isoTime, podName } from './pods.js';

/** The readings of a running container's current log (its evidence added), or null when none applies. */
export async function runningReadings(
  ctx: PlaybookContext,
  view: ContainerView,
  evidence: Evidence[],
): Promise<{ lines: string[]; since: string; sentences: string[] } | null> {
  const lines = await tellingLogLines(ctx, view, { current: true });
  if (lines.length === 0) return null;
  const since = isoTime(view.status.state?.running?.startedAt);
  const readings = await crashReadings(ctx, view, lines, since);
  if (!readings.found) return null;
  evidence.push(...(await logEvidence(ctx, view, { current: true })), ...readings.evidence);
  return { lines, since, sentences: readings.sentences };
}

/** UNKNOWN's finder: the readings of the first running main container of the target's (healthy-looking) pods. */
export async function runningLogFinding(
  ctx: PlaybookContext,
  target: { pods: Pod[]; description: string },
  evidence: Evidence[],
): Promise<string | null> {
  const view = target.pods.flatMap(containersOf).find((v) => !v.isInit && v.status.state?.running);
  const found = view ? await runningReadings(ctx, view, evidence) : null;
  if (!view || !found) return null;
  return `${target.description}: its pods run, but container ${view.status.name} of ${podName(view.pod)} (running since ${found.since}) logs: ${found.lines.join(' | ')}. ${found.sentences.join(' ')} Medic proposes nothing.`;
}
