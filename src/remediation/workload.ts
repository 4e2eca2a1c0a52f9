/** Helpers for actions that change a workload's pod template. */
import { createHash } from 'node:crypto';
import { MedicError } from '../errors.js';
import type {
  ClusterWriter,
  Container,
  HorizontalPodAutoscaler,
  PodTemplateSpec,
  Workload,
  WorkloadKind,
} from '../kube/writer.js';
import { notApplicable } from './errors.js';
import type { ManifestEdit } from './types.js';

export interface WorkloadTarget {
  kind: WorkloadKind;
  name: string;
}

/** `Deployment/api` → { kind, name } (the params schema has already checked the shape). */
export function parseWorkloadRef(ref: string): WorkloadTarget {
  const [kind, name = ''] = ref.split('/');
  return { kind: kind as WorkloadKind, name };
}

export function templateOf(workload: Workload, ref: WorkloadTarget): PodTemplateSpec {
  const template = workload.spec?.template;
  if (!template?.spec) {
    throw new MedicError('KUBE_API', `${ref.kind}/${ref.name} came back without a pod template`, { permanent: true });
  }
  return template;
}

export type ContainerList = 'containers' | 'initContainers';

/** Finds a container by name among the main containers, then the init containers (native sidecars). */
export function findContainer(
  template: PodTemplateSpec,
  name: string,
  ref: WorkloadTarget,
): { list: ContainerList; container: Container } {
  const spec = template.spec;
  const main = spec?.containers.find((c) => c.name === name);
  if (main) return { list: 'containers', container: main };
  const init = spec?.initContainers?.find((c) => c.name === name);
  if (init) return { list: 'initContainers', container: init };
  const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.name).join(', ');
  throw notApplicable(`${ref.kind}/${ref.name} has no container named "${name}" (it has: ${names || 'none'})`);
}

/** The HorizontalPodAutoscaler whose scaleTargetRef is this workload, if any. */
export async function findHpa(
  writer: ClusterWriter,
  namespace: string,
  ref: WorkloadTarget,
  signal?: AbortSignal,
): Promise<HorizontalPodAutoscaler | undefined> {
  const hpas = await writer.listHorizontalPodAutoscalers(namespace, signal);
  return hpas.find((h) => h.spec?.scaleTargetRef.kind === ref.kind && h.spec.scaleTargetRef.name === ref.name);
}

/** A short, stable fingerprint of a value, for preconditions on whole sub-objects (e.g. a pod template). */
export function fingerprint(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex')
    .slice(0, 16);
}

export const NONE = '(none)';

/** The edit a plan makes to `object` (kind, namespace and name as in its manifest), with `fields` changed. */
export function manifestEdit(
  kind: string,
  namespace: string,
  object: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } },
  fields: Record<string, unknown>,
): ManifestEdit {
  const { name = '', labels, annotations } = object.metadata ?? {};
  return { kind, namespace, name, metadata: { labels, annotations }, fields };
}
