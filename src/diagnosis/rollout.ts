/** Did a pod's trouble start with a new Deployment revision? Then rolling back to the previous one is the fix. */
import type { Deployment, Pod, ReplicaSetRevision, Workload } from '../kube/reader.js';
import type { Evidence, ProposedAction } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { isPodReady, podName } from './pods.js';

export interface RevisionFinding {
  evidence: Evidence[];
  action: ProposedAction | null;
  /** "revision 22 (image a:1.2)", the revision to go back to, for summaries. */
  previous?: string;
}

const imagesOf = (r: ReplicaSetRevision) =>
  (r.replicaSet.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '?');

/**
 * When `pods` run the newest revision of a Deployment and an older revision exists (and was serving), proposes
 * rollout-undo to it; the evidence says what changed between them.
 */
export async function rollbackIfNewRevision(
  ctx: PlaybookContext,
  workload: Workload | null,
  pods: Pod[],
): Promise<RevisionFinding> {
  if (workload?.kind !== 'Deployment') return { evidence: [], action: null };
  const deployment = workload.object as Deployment;
  const revisions = await ctx.read(ctx.reader.replicaSetsOf(deployment), []);
  const [newest, previous] = revisions;
  if (!newest || !previous) return { evidence: [], action: null };
  const newestName = newest.replicaSet.metadata?.name;
  const onNewest = pods.filter((p) =>
    p.metadata?.ownerReferences?.some((r) => r.kind === 'ReplicaSet' && r.name === newestName),
  );
  if (onNewest.length === 0) return { evidence: [], action: null };
  const prevReady = previous.replicaSet.status?.readyReplicas ?? previous.replicaSet.status?.availableReplicas ?? 0;
  const before = imagesOf(previous);
  const after = imagesOf(newest);
  const changed = after.filter((img) => !before.includes(img));
  const what =
    changed.length > 0 ? `image ${changed.join(', ')} (was ${before.join(', ')})` : 'a new pod template (same images)';
  const evidence: Evidence[] = [
    {
      kind: 'spec',
      text: `The failing pods run revision ${newest.revision} (ReplicaSet ${newestName}), which introduced ${what}; revision ${previous.revision} (ReplicaSet ${previous.replicaSet.metadata?.name}) has ${prevReady} ready pod(s)`,
    },
  ];
  const namespace = workload.namespace;
  return {
    evidence,
    previous: `revision ${previous.revision} (${before.join(', ')}, ${prevReady} ready pod(s))`,
    action: {
      kind: 'rollout-undo',
      title: `Roll back Deployment/${workload.name} to revision ${previous.revision} (${before.join(', ')})`,
      params: {
        namespace,
        workload: `Deployment/${workload.name}`,
        ...(previous.revision >= 1 ? { toRevision: previous.revision } : {}),
      },
      risk: 'medium',
    },
  };
}

/**
 * delete-pod when exactly one pod of a workload fails while siblings are healthy: something local to that pod (its
 * node, its state) is the likelier cause, and its controller replaces it. None when more pods fail (`failingPods` may
 * name one pod more than once), and none for a pod that keeps data on a PersistentVolumeClaim: its replacement
 * mounts the same claim (a StatefulSet's ordinal, a Deployment's shared claim), so whatever in that data breaks it
 * breaks the new pod too; the evidence says so.
 */
export async function replaceLonePod(
  ctx: PlaybookContext,
  workload: Workload | null,
  failingPods: Pod[],
  namespace: string,
): Promise<{ action: ProposedAction | null; evidence: Evidence[] }> {
  const none = { action: null, evidence: [] };
  // One pod may appear once per failing container.
  const distinct = [...new Map(failingPods.map((p) => [podName(p), p])).values()];
  const [pod] = distinct;
  if (!workload || !pod || distinct.length !== 1) return none;
  const siblings = await ctx.read(ctx.reader.podsOf(workload), []);
  const healthy = siblings.filter((p) => isPodReady(p)).length;
  if (healthy === 0 || siblings.length < 2) return none;
  const name = podName(pod);
  const claims = (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );
  if (claims.length > 0) {
    const text = `Only ${name} fails while ${healthy} sibling(s) are healthy, but it keeps its data on claim(s) ${claims.join(', ')}: a replacement pod mounts the same claim(s), so deleting the pod is not proposed; look at what is in that data.`;
    return { action: null, evidence: [{ kind: 'spec', text }] };
  }
  return {
    action: {
      kind: 'delete-pod',
      title: `Delete pod ${name} so its controller replaces it (${healthy} sibling(s) are healthy)`,
      params: { namespace, pod: name },
      risk: 'medium',
    },
    evidence: [],
  };
}
