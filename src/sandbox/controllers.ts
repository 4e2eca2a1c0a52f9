/**
 * Just enough of the controllers for a believable cluster after a write: generation bumps on spec changes,
 * Deployment revisions on template changes (and the rollout of the new template, rollout.ts), workloads that
 * reach their new replica count at once, and the unschedulable taint on cordoned nodes.
 */
import type { KubeObject } from './object.js';
import { isRecord } from './object.js';

const REVISION = 'deployment.kubernetes.io/revision';
const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function spec(object: KubeObject | undefined): Record<string, unknown> {
  return isRecord(object?.spec) ? object.spec : {};
}

function rolledOut(object: KubeObject, generation: number): Record<string, unknown> {
  const replicas = typeof spec(object).replicas === 'number' ? (spec(object).replicas as number) : 1;
  const status = isRecord(object.status) ? object.status : {};
  const counts =
    object.kind === 'StatefulSet'
      ? {
          replicas,
          readyReplicas: replicas,
          currentReplicas: replicas,
          updatedReplicas: replicas,
          availableReplicas: replicas,
        }
      : { replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
  return { ...status, observedGeneration: generation, ...counts };
}

function cordonTaints(node: KubeObject): unknown[] | undefined {
  const taints = Array.isArray(spec(node).taints) ? (spec(node).taints as unknown[]) : [];
  const others = taints.filter((t) => !(isRecord(t) && t.key === UNSCHEDULABLE_TAINT));
  if (spec(node).unschedulable !== true) return others.length ? others : undefined;
  return [
    ...others,
    { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule', timeAdded: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
  ];
}

/** True when a write changed a Deployment's pod template: its rollout replaces the pods (rollout.ts). */
export function templateChanged(previous: KubeObject, next: KubeObject): boolean {
  return next.kind === 'Deployment' && !same(spec(previous).template, spec(next).template);
}

/** The object as the controllers would leave it after `next` replaced `previous` (undefined for a create). */
export function reconcile(next: KubeObject, previous: KubeObject | undefined): KubeObject {
  const metadata = { ...next.metadata };
  const previousGeneration = previous?.metadata.generation ?? 0;
  const specChanged = !previous || !same(spec(previous), spec(next));
  if ('spec' in next) metadata.generation = previous ? previousGeneration + (specChanged ? 1 : 0) : 1;
  let object: KubeObject = { ...next, metadata };
  if (!specChanged) return object;
  const generation = metadata.generation ?? 1;
  if (object.kind === 'Deployment') {
    const templateChanged = !previous || !same(spec(previous).template, spec(next).template);
    if (templateChanged) {
      const revision = Number(previous?.metadata.annotations?.[REVISION] ?? 0) + 1;
      metadata.annotations = { ...metadata.annotations, [REVISION]: String(revision) };
    }
  }
  if (previous && (object.kind === 'Deployment' || object.kind === 'StatefulSet')) {
    object = { ...object, status: rolledOut(object, generation) };
  }
  if (object.kind === 'Node') {
    const taints = cordonTaints(object);
    const { taints: _old, ...rest } = spec(object);
    object = { ...object, spec: taints ? { ...rest, taints } : rest };
  }
  return object;
}
