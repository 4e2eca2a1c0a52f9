/** Pods the scheduler could not place, with what it said, and why nodes cannot take them. */
import { eventTime, type KubeEvent, type Node, nodeLocation, nodeZone, type Pod } from '../kube/reader.js';
import { notReadyCondition } from './nodes.js';
import type { PlaybookContext } from './playbook.js';
import { podName, schedulingMessage } from './pods.js';

export interface Unscheduled {
  pod: Pod;
  message: string;
  events: KubeEvent[];
}

export const VOLUME_AFFINITY = /volume node affinity conflict|didn't match PersistentVolume's node affinity/i;
export type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

export const INSUFFICIENT = /Insufficient [a-z0-9./-]*[a-z0-9]|Too many pods/i;

/** Pending pods without a node whose scheduling message matches (events are read for up to `max` pods). */
export async function unscheduledPods(
  ctx: PlaybookContext,
  pods: Pod[],
  pattern: RegExp,
  max = 5,
): Promise<Unscheduled[]> {
  const pending = pods.filter((p) => p.status?.phase === 'Pending' && !p.spec?.nodeName);
  const found: Unscheduled[] = [];
  for (const pod of pending) {
    const fromCondition = schedulingMessage(pod, []);
    if (fromCondition && !pattern.test(fromCondition)) continue;
    const events =
      fromCondition && found.length >= max
        ? []
        : await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
    const message = schedulingMessage(pod, events);
    if (message && pattern.test(message)) found.push({ pod, message, events });
  }
  return found;
}

/** Why a node cannot take this pod right now, or null when it could. */
export function nodeBlocker(node: Node, pod?: Pod): string | null {
  if (node.spec?.unschedulable) return 'cordoned (unschedulable)';
  const ready = notReadyCondition(node);
  if (ready) return `NotReady (${ready.reason ?? ready.status})`;
  const taint = untoleratedTaint(node, pod);
  return taint ? `tainted ${taintWords(taint)}` : null;
}

/** The node's first NoSchedule or NoExecute taint the pod does not tolerate (any pod's, without one). */
export function untoleratedTaint(node: Node, pod?: Pod): Taint | null {
  const tolerations = pod?.spec?.tolerations ?? [];
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    const tolerated = tolerations.some(
      (t) =>
        (!t.effect || t.effect === taint.effect) &&
        ((t.operator === 'Exists' && (!t.key || t.key === taint.key)) ||
          (t.key === taint.key && (t.value ?? '') === (taint.value ?? ''))),
    );
    if (!tolerated) return taint;
  }
  return null;
}

/** "dedicated=batch:NoSchedule". */
export const taintWords = (taint: Taint) => `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;

/** "eu-west-1a: 2 node(s) (ip-a: tainted dedicated=batch:NoSchedule, ip-b: schedulable)" per zone. */
export function nodesPerZone(nodes: Node[], pod?: Pod): Map<string, { nodes: Node[]; text: string }> {
  const zones = new Map<string, Node[]>();
  for (const n of nodes) {
    // A node without an availability zone is grouped by what its label does say ("fault domain 1", "no zone label").
    const z = nodeZone(n) ?? `(${nodeLocation(n)})`;
    zones.set(z, [...(zones.get(z) ?? []), n]);
  }
  const out = new Map<string, { nodes: Node[]; text: string }>();
  for (const [zone, list] of [...zones].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = list.map((n) => `${n.metadata?.name}: ${nodeBlocker(n, pod) ?? 'schedulable'}`);
    out.set(zone, { nodes: list, text: `${zone}: ${list.length} node(s) (${parts.join(', ')})` });
  }
  return out;
}

/** Pods of a workload the scheduler preempted for a pod of higher priority, and that pod (the event's `related`). */
export interface Preemption {
  victims: string[];
  /** "batch/ml-train-7b9c5d4f8-w2xqj": the preemptor of the latest victim, when the event names it. */
  by: { namespace: string; name: string } | null;
  at: string | undefined;
  message: string;
}

/**
 * The scheduler's Preempted events ("Preempted by pod <uid> on node <node>", the preemptor in `related`) on pods
 * named like `pods` (their generateName: the same ReplicaSet, StatefulSet or DaemonSet). The victims are gone; their
 * events stay an hour.
 */
export async function preemptionsOf(ctx: PlaybookContext, pods: Pod[]): Promise<Preemption | null> {
  const namespace = pods[0]?.metadata?.namespace;
  const prefixes = [...new Set(pods.map((p) => p.metadata?.generateName).filter((g): g is string => !!g))];
  if (!namespace || prefixes.length === 0) return null;
  const events = await ctx.read(ctx.reader.eventsWithReason(namespace, 'Preempted'), []);
  const ours = events.filter((e) => prefixes.some((g) => e.involvedObject?.name?.startsWith(g)));
  const last = ours.at(-1);
  if (!last) return null;
  const related = last.related;
  const lastAt = eventTime(last);
  return {
    victims: [...new Set(ours.map((e) => e.involvedObject?.name ?? '?'))],
    by:
      related?.kind === 'Pod' && related.name
        ? { namespace: related.namespace ?? namespace, name: related.name }
        : null,
    at: lastAt > 0 ? new Date(lastAt).toISOString() : undefined,
    message: (last.message ?? '').trim(),
  };
}
