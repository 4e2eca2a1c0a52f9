/**
 * Did a Deployment roll out shortly before an alert started? Traffic lost while pods are replaced (no preStop,
 * a short grace period) shows up as a 5xx, QPS or latency alert a minute or two later — by the time Medic looks,
 * every pod is ready again, so only the rollout's traces are left: the newest ReplicaSet's creation time, the
 * deployment controller's ScalingReplicaSet events, and the Progressing condition (NewReplicaSetAvailable).
 */
import type { Deployment, KubeEvent } from '../kube/reader.js';
import { eventTime } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { isoTime } from './pods.js';

/**
 * How long after a rollout finished an alert can still be its effect: traffic rules look at 1–5 minute rates and
 * wait `for:` 1–10 minutes before firing, so a drop during the rollout fires up to about 15 minutes after it.
 */
export const ROLLOUT_EFFECT_WINDOW_MS = 15 * 60_000;
/** A rollout that started after the alert cannot have caused it; one minute allows for clock skew. */
const CLOCK_SKEW_MS = 60_000;

/** Alerts about traffic: a Service's requests, errors or latency (names as people write traffic rules). */
export const TRAFFIC_ALERT =
  /5xx|error|qps|rps|request|latency|traffic|throughput|availability|http|grpc|slo|burn|success|dropped/i;

export interface RecentRollout {
  startedAt: number;
  finishedAt: number;
  evidence: Evidence[];
}

/**
 * "Scaled down replica set api-7d9f to 0 from 3" (deployment controller; before Kubernetes 1.26 without "from 3"):
 * an old revision's pods removed, which HPA scaling never does.
 */
const SCALED_DOWN_OLD = /^Scaled down replica set (\S+) to 0\b/;

/** The Deployment's rollout that overlaps [alert start − 15 min, alert start], or null when there was none. */
export async function recentRollout(
  ctx: PlaybookContext,
  d: Deployment,
  alertStartMs: number,
): Promise<RecentRollout | null> {
  const namespace = d.metadata?.namespace ?? 'default';
  const name = d.metadata?.name ?? '';
  const revisions = await ctx.read(ctx.reader.replicaSetsOf(d), []);
  const [newest, previous] = revisions;
  if (!newest || !previous) return null;
  const events = await ctx.read(ctx.reader.eventsFor(namespace, 'Deployment', name), []);
  const oldRemovals = events.filter((e) => e.reason === 'ScalingReplicaSet' && SCALED_DOWN_OLD.test(e.message ?? ''));
  const created = Date.parse(String(newest.replicaSet.metadata?.creationTimestamp ?? '')) || 0;
  const traces = [created, ...oldRemovals.map(eventTime)].filter((t) => t > 0);
  const inWindow = traces.filter(
    (t) => t <= alertStartMs + CLOCK_SKEW_MS && t >= alertStartMs - ROLLOUT_EFFECT_WINDOW_MS,
  );
  if (inWindow.length === 0) return null;
  const startedAt = Math.min(...inWindow);
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  const completed =
    progressing?.reason === 'NewReplicaSetAvailable' ? Date.parse(String(progressing.lastUpdateTime ?? '')) || 0 : 0;
  const finishedAt = Math.max(...inWindow, completed > startedAt ? completed : 0);
  const minutes = (ms: number) => `${Math.round(ms / 6000) / 10} min`;
  const when =
    finishedAt > alertStartMs
      ? 'while it was still running'
      : `${minutes(alertStartMs - finishedAt)} after it ended (within the ${ROLLOUT_EFFECT_WINDOW_MS / 60_000} min a rollout's lost traffic takes to fire an alert)`;
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: `Deployment ${name} rolled out revision ${newest.revision} (ReplicaSet ${newest.replicaSet.metadata?.name}, replacing ${previous.replicaSet.metadata?.name}) from ${isoTime(new Date(startedAt))} to ${isoTime(new Date(finishedAt))}; the alert started ${isoTime(ctx.event.alert.startsAt)}, ${when}`,
    },
  ];
  for (const e of oldRemovals.filter((x) => inWindow.includes(eventTime(x))).slice(-2)) evidence.push(removal(e));
  if (completed > 0)
    evidence.push({
      kind: 'status',
      text: `Progressing: ${progressing?.message ?? 'NewReplicaSetAvailable'} (at ${isoTime(new Date(completed))}); all pods are ready again now, so the loss happened during the rollout`,
    });
  return { startedAt, finishedAt, evidence };
}

function removal(e: KubeEvent): Evidence {
  return { kind: 'event', text: `${isoTime(new Date(eventTime(e)))} ScalingReplicaSet: ${e.message ?? ''}` };
}
