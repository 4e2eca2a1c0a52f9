/** How a workload's pods take a new pod template: the annotation kubectl writes, and the update strategies. */
import type { WorkloadKind, WorkloadObject } from './reader-api.js';

/** What `kubectl rollout restart` sets on the pod template: a new template, so new pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * A RollingUpdate's maxSurge or maxUnavailable as a pod count, as the Deployment controller resolves it: a percentage
 * of the replicas, rounded up for maxSurge (`roundUp`) and down for maxUnavailable; 25% when unset.
 */
export function resolveIntOrPercent(value: string | number | undefined, replicas: number, roundUp: boolean): number {
  if (value === undefined) return roundUp ? Math.ceil(replicas * 0.25) : Math.floor(replicas * 0.25);
  if (typeof value === 'number') return value;
  const pct = Number(value.replace('%', '')) / 100;
  return roundUp ? Math.ceil(replicas * pct) : Math.floor(replicas * pct);
}

/**
 * How the controller replaces pods when the template changes: `rolling` (a Deployment's RollingUpdate, a
 * StatefulSet's or DaemonSet's RollingUpdate), `recreate` (a Deployment's Recreate: all pods stop first) or
 * `on-delete` (a StatefulSet's or DaemonSet's OnDelete: no pod is replaced until someone deletes it).
 */
export function templateRollout(kind: WorkloadKind, object: WorkloadObject): 'rolling' | 'recreate' | 'on-delete' {
  const spec = object.spec as { strategy?: { type?: string }; updateStrategy?: { type?: string } } | undefined;
  if (kind === 'Deployment') return spec?.strategy?.type === 'Recreate' ? 'recreate' : 'rolling';
  return spec?.updateStrategy?.type === 'OnDelete' ? 'on-delete' : 'rolling';
}

/**
 * Whether every pod of the workload was made from its current template: the controller has seen the latest spec
 * and has no pod of an older revision left (a Deployment's updatedReplicas are all its replicas, a StatefulSet's
 * current revision is its update revision, a DaemonSet's pods are all updated).
 */
export function rolloutComplete(kind: WorkloadKind, object: WorkloadObject): boolean {
  const generation = object.metadata?.generation ?? 0;
  const status = (object.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
  };
  if ((status.observedGeneration ?? 0) < generation) return false;
  const wanted = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  switch (kind) {
    case 'Deployment':
      return status.updatedReplicas === wanted && status.replicas === wanted;
    case 'StatefulSet':
      return status.currentRevision !== undefined && status.currentRevision === status.updateRevision;
    case 'DaemonSet':
      return status.updatedNumberScheduled === status.desiredNumberScheduled;
    default:
      return false;
  }
}
