/** A node's health as the node controller and kubelet report it, and the pods a dead node leaves stranded. */
import type { Node, NodeCondition, Pod } from '../kube/reader.js';
import { isoTime, podName } from './pods.js';

/** The Ready condition when it is not True (False: the kubelet says so; Unknown: the kubelet stopped reporting). */
export function notReadyCondition(node: Node): NodeCondition | null {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready && ready.status !== 'True' ? ready : null;
}

/** "Ready=Unknown since 07:58:57Z (NodeStatusUnknown: Kubelet stopped posting node status.), last heartbeat …". */
export function conditionText(c: NodeCondition): string {
  const why = [c.reason, c.message?.trim()].filter(Boolean).join(': ');
  return `${c.type}=${c.status} since ${isoTime(c.lastTransitionTime)}${why ? ` (${why})` : ''}, last heartbeat ${isoTime(c.lastHeartbeatTime)}`;
}

/** Conditions other than Ready that are not in their healthy state (pressure True, or Unknown with the kubelet gone). */
export function otherBadConditions(node: Node): NodeCondition[] {
  return (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready' && c.status !== 'False');
}

export function taintsText(node: Node): string {
  return (node.spec?.taints ?? [])
    .map(
      (t) =>
        `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}${t.timeAdded ? ` (since ${isoTime(t.timeAdded)})` : ''}`,
    )
    .join(', ');
}

export interface StrandedPod {
  pod: Pod;
  owner: string | undefined;
  /** "stuck Terminating since …", "still marked Running, evicted after its 300 s toleration", … */
  state: string;
}

/**
 * Pods a dead node keeps: not finished, not DaemonSet pods (those belong to the node and go with it). A
 * StatefulSet pod stuck Terminating blocks its own replacement: the controller keeps one pod per identity.
 */
export function strandedPods(pods: Pod[]): StrandedPod[] {
  const out: StrandedPod[] = [];
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (owner?.kind === 'DaemonSet') continue;
    const deleting = pod.metadata?.deletionTimestamp;
    const toleration = pod.spec?.tolerations?.find(
      (t) => t.key === 'node.kubernetes.io/unreachable' || t.key === 'node.kubernetes.io/not-ready',
    );
    const state = deleting
      ? `stuck Terminating (deletion due at ${isoTime(deleting)}; the kubelet cannot confirm it)`
      : toleration?.tolerationSeconds !== undefined
        ? `still shown ${phase ?? 'Unknown'}, evicted after its ${toleration.tolerationSeconds} s toleration`
        : `still shown ${phase ?? 'Unknown'}`;
    out.push({ pod, owner: owner ? `${owner.kind} ${owner.name}` : undefined, state });
  }
  // StatefulSet pods first: theirs are the replacements that wait.
  return out.sort((a, b) => Number(b.owner?.startsWith('StatefulSet ')) - Number(a.owner?.startsWith('StatefulSet ')));
}

export function strandedText(s: StrandedPod): string {
  const waits =
    s.owner?.startsWith('StatefulSet ') && s.pod.metadata?.deletionTimestamp
      ? `; ${s.owner} will not start ${podName(s.pod)} elsewhere until this one is gone`
      : '';
  return `${podName(s.pod)}${s.owner ? ` (${s.owner})` : ''} ${s.state}${waits}`;
}
