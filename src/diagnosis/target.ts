/**
 * Target resolution: which object an alert is about, from its labels (kube-state-metrics, kubelet and custom
 * alerts), and the pods to look at — alerts about a workload, a service or a volume look at its pods.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { type ClusterReader, labelSelectorString, type Pod, type Workload, type WorkloadKind } from '../kube/reader.js';
import type { ResolvedTarget, TargetKind } from './playbook.js';

type Read = <T>(query: Promise<T>, fallback: T) => Promise<T>;

interface Named {
  kind: TargetKind;
  namespace?: string;
  name: string;
  /** Only a guess from the labels: when it does not exist, the alert names nothing (not TARGET_NOT_FOUND). */
  guessed?: boolean;
}

const WORKLOAD_LABELS: [string, WorkloadKind & TargetKind][] = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['job_name', 'Job'],
];

/** The object named by an alert's labels, most specific first; null when it names none. Pure. */
export function namedTarget(labels: Record<string, string>): Named | null {
  const namespace = labels.namespace ?? labels.exported_namespace;
  if (namespace && labels.pod) return { kind: 'Pod', namespace, name: labels.pod };
  if (namespace && labels.persistentvolumeclaim) {
    return { kind: 'PersistentVolumeClaim', namespace, name: labels.persistentvolumeclaim };
  }
  if (labels.persistentvolume) return { kind: 'PersistentVolume', name: labels.persistentvolume };
  for (const [label, kind] of WORKLOAD_LABELS) {
    const name = labels[label];
    if (namespace && name) return { kind, namespace, name };
  }
  if (namespace && labels.horizontalpodautoscaler) {
    return { kind: 'HorizontalPodAutoscaler', namespace, name: labels.horizontalpodautoscaler };
  }
  // When `service` equals the scrape `job`, it may be the exporter's own service (kube-state-metrics without labeldrop)
  // or an app whose ServiceMonitor names the job after its service: look it up, but its absence proves nothing.
  if (namespace && labels.service) {
    return {
      kind: 'Service',
      namespace,
      name: labels.service,
      ...(labels.service === labels.job ? { guessed: true } : {}),
    };
  }
  if (labels.node) return { kind: 'Node', name: labels.node };
  return null;
}

export function describeTarget(t: Named): string {
  return t.namespace ? `${t.kind} ${t.namespace}/${t.name}` : `${t.kind} ${t.name}`;
}

export async function resolveTarget(
  reader: ClusterReader,
  event: AlertEvent,
  read: Read,
): Promise<ResolvedTarget | null> {
  const labels = event.alert.labels;
  const named = namedTarget(labels);
  if (!named) return null;
  const { guessed: _, ...identity } = named;
  const base = { ...identity, description: describeTarget(named), workload: null, pods: [] as Pod[] };
  // A failed lookup is not a missing object: say the cluster could not be read, never TARGET_NOT_FOUND.
  let failed = false;
  const primary: Primary = async <T>(query: Promise<T | null>) => {
    const value = await read<T | null | typeof FAILED>(query, FAILED);
    if (value === FAILED) failed = true;
    return value === FAILED ? null : value;
  };
  const resolved = await lookUp(reader, named, read, primary);
  if (failed) return { ...base, found: true, unreadable: true };
  if (!resolved) return named.guessed ? null : { ...base, found: false };
  const target: ResolvedTarget = { ...base, ...resolved, found: true };
  const container = labels.container;
  if (container && target.pods.some((p) => containerNames(p).includes(container))) target.container = container;
  return target;
}

type Found = Omit<ResolvedTarget, 'kind' | 'namespace' | 'name' | 'found' | 'description'>;

const FAILED = Symbol('query failed');
type Primary = <T>(query: Promise<T | null>) => Promise<T | null>;

async function lookUp(reader: ClusterReader, t: Named, read: Read, primary: Primary): Promise<Found | null> {
  const ns = t.namespace ?? 'default';
  switch (t.kind) {
    case 'Pod': {
      const pod = await primary(reader.getPod(ns, t.name));
      if (!pod) return null;
      return { pods: [pod], workload: await read(reader.workloadOf(pod), null) };
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job': {
      const workload = await primary(reader.getWorkload(ns, t.kind, t.name));
      if (!workload) return null;
      return { workload, pods: await read(reader.podsOf(workload), []) };
    }
    case 'HorizontalPodAutoscaler': {
      const hpa = await primary(reader.getHpa(ns, t.name));
      if (!hpa) return null;
      const ref = hpa.spec?.scaleTargetRef;
      const kind = ref?.kind as WorkloadKind | undefined;
      const workload = ref && kind ? await read(reader.getWorkload(ns, kind, ref.name), null) : null;
      return { workload, pods: workload ? await read(reader.podsOf(workload), []) : [] };
    }
    case 'Service': {
      const service = await primary(reader.getService(ns, t.name));
      if (!service) return null;
      const selector = labelSelectorString(service.spec?.selector);
      const pods = selector ? await read(reader.listPods(ns, selector), []) : [];
      return { service, pods, workload: await singleWorkload(reader, pods, read) };
    }
    case 'PersistentVolumeClaim': {
      const pvc = await primary(reader.getPvc(ns, t.name));
      if (!pvc) return null;
      const pv = pvc.spec?.volumeName ? await read(reader.getPv(pvc.spec.volumeName), null) : null;
      const pods = await podsUsingClaim(reader, ns, t.name, read);
      return { pvc, ...(pv ? { pv } : {}), pods, workload: await singleWorkload(reader, pods, read) };
    }
    case 'PersistentVolume': {
      const pv = await primary(reader.getPv(t.name));
      if (!pv) return null;
      const claim = pv.spec?.claimRef;
      if (!claim?.name || !claim.namespace) return { pv, pods: [], workload: null };
      const pvc = await read(reader.getPvc(claim.namespace, claim.name), null);
      const pods = await podsUsingClaim(reader, claim.namespace, claim.name, read);
      return { pv, ...(pvc ? { pvc } : {}), pods, workload: await singleWorkload(reader, pods, read) };
    }
    case 'Node': {
      const node = await primary(reader.getNode(t.name));
      if (!node) return null;
      return { node, pods: await read(reader.listPodsOnNode(t.name), []), workload: null };
    }
  }
}

async function podsUsingClaim(reader: ClusterReader, ns: string, claim: string, read: Read): Promise<Pod[]> {
  const pods = await read(reader.listPods(ns), []);
  return pods.filter((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim));
}

/** The one workload that controls these pods (one lookup per distinct owner); null when none or several. */
export async function singleWorkload(reader: ClusterReader, pods: Pod[], read: Read): Promise<Workload | null> {
  const byOwner = new Map<string, Pod>();
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (owner) byOwner.set(`${owner.kind}/${owner.name}`, pod);
  }
  const workloads = new Map<string, Workload>();
  for (const pod of byOwner.values()) {
    const w = await read(reader.workloadOf(pod), null);
    if (w) workloads.set(`${w.kind}/${w.name}`, w);
  }
  return workloads.size === 1 ? ([...workloads.values()][0] ?? null) : null;
}

export function containerNames(pod: Pod): string[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
}
