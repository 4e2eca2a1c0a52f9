/** Did a pod's trouble start with a new Deployment revision? Then rolling back to the previous one is the fix. */
import { isDeepStrictEqual } from 'node:util';
import {
  type Deployment,
  type Pod,
  type PodSpec,
  RESTARTED_AT,
  type ReplicaSetRevision,
  type Workload,
} from '../kube/reader.js';
import { templateRollout } from '../kube/rollouts.js';
import type { Evidence, ProposedAction } from '../types.js';
import type { ActionKind } from '../vocabulary.js';
import { alertStartMs, type PlaybookContext, tooOldToExplain } from './playbook.js';
import { claimsOf, durationWords, isoTime, isPodReady, podName, podRevision } from './pods.js';

export interface RevisionFinding {
  evidence: Evidence[];
  action: ProposedAction | null;
  /** "revision 22 (image a:1.2)", the revision to go back to, for summaries. */
  previous?: string;
  /** Why the newest revision is not what broke the pods, for summaries, when it exists but no rollback is proposed. */
  notTheRevision?: string;
}

/**
 * Why the newest revision cannot have brought a failure although the pods run it (e.g. the failing image and its
 * pull credentials are the same in the previous revision), or null when it may have.
 */
export type NotBroughtBy = (previous: PodSpec, newest: PodSpec) => string | null;

/** Actions that change a workload's pod template: a paused Deployment rolls none of them out. */
export const TEMPLATE_CHANGES: ReadonlySet<ActionKind> = new Set([
  'rollout-undo',
  'rollout-restart',
  'set-memory-limit',
  'set-cpu-limit',
  'patch-rollout-safety',
]);

/** How the paused-Deployment sentence starts: evidence that begins so has already said it. */
export const pausedLead = (name: string) => `Deployment ${name} is paused (spec.paused: true)`;

/**
 * For a paused Deployment (`kubectl rollout pause`): no change to its pod template rolls out until it is resumed, a
 * rollback included, so Medic proposes none. `running`: the images its newest ReplicaSet runs, to say when the
 * template holds others that wait for the resume. Null when the workload is not a paused Deployment.
 */
export function pausedWords(workload: Workload | null, running: string[] = []): string | null {
  if (workload?.kind !== 'Deployment' || (workload.object as Deployment).spec?.paused !== true) return null;
  const held = ((workload.object as Deployment).spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '?');
  const waiting = held.filter((image) => running.length > 0 && !running.includes(image));
  const pending =
    waiting.length > 0
      ? ` Its template holds ${waiting.join(', ')}, which the pods (${running.join(', ')}) do not run yet.`
      : '';
  return `${pausedLead(workload.name)}: no change to its pod template rolls out until it is resumed, a rollback included, so Medic proposes none.${pending} \`kubectl rollout resume deployment/${workload.name} -n ${workload.namespace}\` rolls out the template it holds.`;
}

/** What a summary says of the newest revision: roll back to the previous one, why not, or nothing. */
export function revisionSentence(finding: RevisionFinding): string {
  if (finding.action) return ` It started with the newest revision: roll back to ${finding.previous}.`;
  return finding.notTheRevision ? ` ${finding.notTheRevision}` : '';
}

/** Labels or annotations without the keys a controller or `kubectl rollout restart` adds. */
function written(map: Record<string, string> | undefined, drop: string): Record<string, string> {
  const { [drop]: _, ...rest } = map ?? {};
  return rest;
}

/** Whether `newest` is `previous` restarted: the same pod template but for kubectl's restartedAt stamp. */
function isRestartOf(newest: ReplicaSetRevision, previous: ReplicaSetRevision): boolean {
  const [a, b] = [newest.replicaSet.spec?.template, previous.replicaSet.spec?.template];
  return (
    a?.metadata?.annotations?.[RESTARTED_AT] !== undefined &&
    isDeepStrictEqual(a?.spec, b?.spec) &&
    isDeepStrictEqual(
      written(a?.metadata?.labels, 'pod-template-hash'),
      written(b?.metadata?.labels, 'pod-template-hash'),
    ) &&
    isDeepStrictEqual(written(a?.metadata?.annotations, RESTARTED_AT), written(b?.metadata?.annotations, RESTARTED_AT))
  );
}

const imagesOf = (r: ReplicaSetRevision) =>
  (r.replicaSet.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? '?');

/**
 * When `pods` run the newest revision of a Deployment and an older revision exists (and was serving), proposes
 * rollout-undo to it; the evidence says what changed between them. No rollback when the newest revision only
 * restarted the previous template (`kubectl rollout restart`: going back changes nothing, what broke is outside the
 * template), or when `notBroughtBy` says the change cannot have brought this failure.
 */
export async function rollbackIfNewRevision(
  ctx: PlaybookContext,
  workload: Workload | null,
  pods: Pod[],
  notBroughtBy?: NotBroughtBy,
): Promise<RevisionFinding> {
  if (workload?.kind !== 'Deployment') return { evidence: [], action: null };
  const deployment = workload.object as Deployment;
  const revisions = await ctx.read(ctx.reader.replicaSetsOf(deployment), []);
  const [newest, previous] = revisions;
  const paused = pausedWords(workload, newest ? imagesOf(newest) : []);
  if (paused) return { evidence: [{ kind: 'spec', text: paused }], action: null, notTheRevision: paused };
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
  const prevName = previous.replicaSet.metadata?.name;
  if (isRestartOf(newest, previous)) {
    const at = newest.replicaSet.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
    const notTheRevision = `Revision ${newest.revision} only restarted revision ${previous.revision}'s pod template (kubectl rollout restart at ${at}), so rolling back would change nothing: what broke is outside the template (a ConfigMap or Secret it reads, a dependency, the nodes).`;
    return {
      evidence: [
        {
          kind: 'spec',
          text: `The failing pods run revision ${newest.revision} (ReplicaSet ${newestName}), the same pod template as revision ${previous.revision} (ReplicaSet ${prevName}, ${prevReady} ready pod(s)) restarted at ${at}: no rollback is proposed`,
        },
      ],
      action: null,
      notTheRevision,
    };
  }
  const settled = settledLongBefore(ctx, deployment, newest, previous);
  if (settled) {
    return {
      evidence: [
        {
          kind: 'spec',
          text: `The failing pods run revision ${newest.revision} (ReplicaSet ${newestName}, created ${settled.since}), which finished rolling out ${settled.before} before the alert started; revision ${previous.revision} (ReplicaSet ${prevName}) is scaled to ${previous.replicaSet.spec?.replicas ?? 0}: no rollback is proposed`,
        },
      ],
      action: null,
      notTheRevision: `Revision ${newest.revision} has run since ${settled.since}, ${settled.before} before the failures began, so it is not what just changed and rolling back is unlikely to help: look at what changed since (a dependency, a ConfigMap or Secret it reads, its data, the nodes).`,
    };
  }
  const notBrought =
    notBroughtBy && newest.replicaSet.spec?.template?.spec && previous.replicaSet.spec?.template?.spec
      ? notBroughtBy(previous.replicaSet.spec.template.spec, newest.replicaSet.spec.template.spec)
      : null;
  const evidence: Evidence[] = [
    {
      kind: 'spec',
      text: `The failing pods run revision ${newest.revision} (ReplicaSet ${newestName}), which introduced ${what}; revision ${previous.revision} (ReplicaSet ${prevName}) has ${prevReady} ready pod(s)${notBrought ? `; ${notBrought}, so no rollback is proposed` : ''}`,
    },
  ];
  if (notBrought)
    return {
      evidence,
      action: null,
      notTheRevision: `${notBrought.charAt(0).toUpperCase()}${notBrought.slice(1)}, so rolling back would not help.`,
    };
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
 * The newest revision finished rolling out (Progressing: NewReplicaSetAvailable, or the previous ReplicaSet scaled
 * to zero by a rolling update) and was created longer before the alert started than a past failure can explain
 * (RELEVANT_BEFORE_ALERT_MS): it ran, so it is not what broke the pods now. Null when it may be (or no time is known).
 */
function settledLongBefore(
  ctx: PlaybookContext,
  deployment: Deployment,
  newest: ReplicaSetRevision,
  previous: ReplicaSetRevision,
): { since: string; before: string } | null {
  const created = newest.replicaSet.metadata?.creationTimestamp;
  const createdAt = created ? new Date(created) : undefined;
  const startMs = alertStartMs(ctx);
  if (!createdAt || !tooOldToExplain(createdAt, startMs)) return null;
  const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
  const finished =
    progressing?.reason === 'NewReplicaSetAvailable' ||
    (templateRollout('Deployment', deployment) === 'rolling' && (previous.replicaSet.spec?.replicas ?? 1) === 0);
  if (!finished) return null;
  return { since: isoTime(createdAt), before: durationWords(startMs - createdAt.getTime()) };
}

/**
 * delete-pod when exactly one pod of a workload fails while siblings of the same revision are healthy: something
 * local to that pod (its node, its state) is the likelier cause, and its controller replaces it. None when more pods fail (`failingPods` may
 * name one pod more than once), and none for a pod that keeps data on a PersistentVolumeClaim: its replacement
 * mounts the same claim (a StatefulSet's ordinal, a Deployment's shared claim), so whatever in that data breaks it
 * breaks the new pod too; and none for a DaemonSet's pod, whose replacement runs on the same node. The evidence says so.
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
  if (siblings.length < 2) return none;
  const name = podName(pod);
  // Only siblings made from the same template show that the template is fine.
  const revision = podRevision(pod);
  const healthy = siblings.filter(
    (p) => isPodReady(p) && (!revision || p.metadata?.labels?.[revision.label] === revision.value),
  ).length;
  if (healthy === 0) {
    const elsewhere = siblings.filter((p) => isPodReady(p)).length;
    if (!revision || elsewhere === 0) return none;
    const text = `Only ${name} fails, but no other pod of its revision (${revision.label} ${revision.value}) is healthy: the ${elsewhere} healthy pod(s) run another revision, so a replacement would start from the same template as ${name}; deleting the pod is not proposed.`;
    return { action: null, evidence: [{ kind: 'spec', text }] };
  }
  if (workload.kind === 'DaemonSet') {
    const node = pod.spec?.nodeName ?? 'its node';
    const text = `Only ${name} fails while ${healthy} sibling(s) on other nodes are healthy, but it is a DaemonSet pod: its replacement runs on the same node ${node}, so deleting it would only restart it there; what sets it apart is the node, so look at ${node} (its kernel, network rules, disk, container runtime). Deleting the pod is not proposed.`;
    return { action: null, evidence: [{ kind: 'spec', text }] };
  }
  const claims = claimsOf(pod);
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
