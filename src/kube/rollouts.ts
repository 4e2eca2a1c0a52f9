/** How a workload's pods take a new pod template: the annotation kubectl writes, and the update strategies. */
import type { WorkloadKind, WorkloadObject } from './reader-api.js';

/** What `kubectl rollout restart` sets on the pod template: a new template, so new pods. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

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
