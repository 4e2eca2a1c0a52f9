/**
 * UNKNOWN's last finder: pods that run and are Ready while their app fails. The current log of the first running main container
 * is read (the same telling lines a crash loop shows) and given the crash readings (crash-readings.ts): an RBAC
 * denial, credentials the server rejects (for a running container, an environment older than a Secret rotation), a
 * certificate, a connection a NetworkPolicy drops, a missing variable, a process limit. Nothing is found, and no
 * claim is made, when the log says none of these. Never for a node's pods (they belong to many workloads).
 */
import type { Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { crashReadings } from './crash-readings.js';
import { logEvidence, tellingLogLines } from './logs.js';
import type { PlaybookContext } from './playbook.js';
import { containersOf, isoTime, isPodReady, podName } from './pods.js';

export async function runningLogFinding(
  ctx: PlaybookContext,
  target: { kind: string; pods: Pod[]; description: string },
  evidence: Evidence[],
): Promise<string | null> {
  // Unready pods are a failure the status evidence already shows: this finder is for pods that look healthy.
  if (target.kind === 'Node' || target.pods.length === 0 || !target.pods.every(isPodReady)) return null;
  const view = target.pods.flatMap(containersOf).find((v) => !v.isInit && v.status.state?.running);
  if (!view) return null;
  const lines = await tellingLogLines(ctx, view, { current: true });
  if (lines.length === 0) return null;
  const since = isoTime(view.status.state?.running?.startedAt);
  const readings = await crashReadings(ctx, view, lines, since);
  if (!readings.found) return null;
  evidence.push(...(await logEvidence(ctx, view, { current: true })), ...readings.evidence);
  return `${target.description}: its pods run, but container ${view.status.name} of ${podName(view.pod)} (running since ${since}) logs: ${lines.join(' | ')}. ${readings.sentences.join(' ')} Medic proposes nothing.`;
}
