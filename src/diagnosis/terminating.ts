/**
 * Pods that stay Terminating on a healthy node because a finalizer holds them: the kubelet stopped their containers
 * at the deletion, but the API server removes the object only once every finalizer is gone, and the controller that
 * owns it does not remove it (it is down, or its cleanup fails). Until then the pod's name stays taken: a
 * StatefulSet does not create the replacement of that identity, and a ReplicaSet counts it out but a Service or an
 * operator may still wait on it. Deleting it again changes nothing. A pod stuck because its node is gone is
 * NODE_NOT_READY's (playbooks/node-not-ready.ts), not this. Pure.
 */
import type { Pod } from '../kube/reader.js';
import { isoTime, listNames, podName } from './pods.js';

/** Past its deletion time (which already includes the grace period) by this much, a pod is held, not shutting down. */
const HELD_AFTER_MS = 60_000;

export interface HeldPod {
  pod: Pod;
  finalizers: string[];
  /** Since when the API server could have removed it (its deletionTimestamp). */
  dueMs: number;
}

/** The pods of `pods` being deleted, held past their deletion time by finalizers, as of `atMs`. */
export function heldByFinalizers(pods: Pod[], atMs: number): HeldPod[] {
  const held: HeldPod[] = [];
  for (const pod of pods) {
    const due = Date.parse(pod.metadata?.deletionTimestamp ?? '');
    const finalizers = pod.metadata?.finalizers ?? [];
    if (Number.isFinite(due) && finalizers.length > 0 && due < atMs - HELD_AFTER_MS)
      held.push({ pod, finalizers, dueMs: due });
  }
  return held;
}

/** Whether a pod is being deleted: its containers' exits are the deletion's, not failures of their own. */
export const isBeingDeleted = (pod: Pod) => !!pod.metadata?.deletionTimestamp;

/** UNKNOWN's summary for pods a finalizer holds, and its evidence lines. */
export function heldWords(held: HeldPod[], owner: string | null): { summary: string; evidence: string[] } {
  const first = held[0] as HeldPod;
  const finalizers = [...new Set(held.flatMap((h) => h.finalizers))];
  const names = listNames(
    held.map((h) => podName(h.pod)),
    3,
  );
  const evidence = held
    .slice(0, 3)
    .map(
      (h) =>
        `Pod ${podName(h.pod)}: deletion due ${isoTime(new Date(h.dueMs))} (grace period ${h.pod.metadata?.deletionGracePeriodSeconds ?? '?'}s), still present: finalizers ${h.finalizers.join(', ')}; phase ${h.pod.status?.phase ?? '?'}`,
    );
  const statefulSet = owner?.startsWith('StatefulSet ');
  const consequence = statefulSet
    ? `${owner} does not create the replacement of ${podName(first.pod)} while the old pod exists, so it stays short of its replicas`
    : `${owner ?? 'its owner'} counts the pod out, but anything waiting for it to be gone waits too`;
  return {
    summary: `${names} ${held.length === 1 ? 'is' : 'are'} still Terminating, although ${held.length === 1 ? 'its' : 'their'} deletion was due at ${isoTime(new Date(first.dueMs))}: the containers are stopped, but the API server keeps the pod until finalizer(s) ${finalizers.join(', ')} are removed, and the controller that owns them has not removed them (it is down, or its cleanup fails). ${consequence}. Deleting the pod again changes nothing. Find that controller (the finalizer's prefix names it) and fix it; remove the finalizer by hand (kubectl patch pod ${podName(first.pod)} -n ${first.pod.metadata?.namespace} --type=merge -p '{"metadata":{"finalizers":null}}') only once you know its cleanup is done or not needed. Medic proposes nothing.`,
    evidence,
  };
}
