/**
 * What `/scale <name> <replicas>` means: a Deployment, a StatefulSet, or a Service resolved to the one workload its
 * selector matches; with the HPA that governs it (its minReplicas must be raised too, or it undoes the scale).
 */
import { type ClusterReader, labelSelectorString, type Workload } from '../kube/reader.js';

export interface ScaleTarget {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
  hpa?: { name: string; minReplicas: number; maxReplicas: number };
}

export type ScaleResolution = ScaleTarget | { ambiguous: string[] } | null;

/** @throws KubeError when the cluster cannot be read (not-found is null, never a throw). */
export async function resolveScaleTarget(
  reader: ClusterReader,
  namespace: string,
  name: string,
): Promise<ScaleResolution> {
  const [deployment, statefulSet] = await Promise.all([
    reader.getWorkload(namespace, 'Deployment', name),
    reader.getWorkload(namespace, 'StatefulSet', name),
  ]);
  const direct = [deployment, statefulSet].filter((w): w is Workload => w !== null);
  if (direct.length > 1) return { ambiguous: direct.map((w) => `${w.kind}/${w.name}`) };
  if (direct[0]) return describe(reader, direct[0]);

  const service = await reader.getService(namespace, name);
  const selector = labelSelectorString(service?.spec?.selector);
  if (!service || !selector) return null;
  const pods = await reader.listPods(namespace, selector);
  const found = new Map<string, Workload>();
  const owners = new Set<string>();
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!owner || owners.has(`${owner.kind}/${owner.name}`)) continue;
    owners.add(`${owner.kind}/${owner.name}`);
    const w = await reader.workloadOf(pod);
    if (w && (w.kind === 'Deployment' || w.kind === 'StatefulSet')) found.set(`${w.kind}/${w.name}`, w);
  }
  if (found.size > 1) return { ambiguous: [...found.keys()].sort() };
  const only = [...found.values()][0];
  return only ? describe(reader, only) : null;
}

async function describe(reader: ClusterReader, w: Workload): Promise<ScaleTarget> {
  const kind = w.kind as 'Deployment' | 'StatefulSet';
  const spec = w.object.spec as { replicas?: number } | undefined;
  const hpa = await reader.hpaFor(w.namespace, kind, w.name);
  return {
    kind,
    name: w.name,
    replicas: spec?.replicas ?? 1,
    ...(hpa
      ? {
          hpa: {
            name: hpa.metadata?.name ?? '',
            minReplicas: hpa.spec?.minReplicas ?? 1,
            maxReplicas: hpa.spec?.maxReplicas ?? 1,
          },
        }
      : {}),
  };
}
