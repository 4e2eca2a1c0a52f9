/**
 * Target resolution: finds the object an alert is about (named-target.ts reads it from the labels) in the cluster,
 * and the pods to look at — alerts about a workload, a service or a volume look at its pods.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { type ClusterReader, labelSelectorString, type Pod, type Workload, type WorkloadKind } from '../kube/reader.js';
import { scrapedServer } from './exporter-targets.js';
import { serviceOfRoute } from './ingress-routes.js';
import { describeTarget, type Named, namedTarget } from './named-target.js';
import type { ResolvedTarget } from './playbook.js';
import { isPodReady } from './pods.js';

export {
  describeTarget,
  isExporterPod,
  type Named,
  namedTarget,
  seriesLabel,
  silenceLabels,
  unnamedSubject,
} from './named-target.js';

type Read = <T>(query: Promise<T>, fallback: T) => Promise<T>;

export async function resolveTarget(
  reader: ClusterReader,
  event: AlertEvent,
  read: Read,
): Promise<ResolvedTarget | null> {
  const first = namedTarget(event.alert.labels);
  const named = first && (await refine(reader, first, event.alert.labels, read));
  if (!named) return null;
  const identity = { kind: named.kind, name: named.name, ...(named.namespace ? { namespace: named.namespace } : {}) };
  const container = named.container;
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
  const target: ResolvedTarget = { ...base, ...resolved, found: true, ...(named.via ? { via: named.via } : {}) };
  if (container && target.pods.some((p) => containerNames(p).includes(container))) target.container = container;
  return (named.scraped && (await serverOfExporter(reader, target, read, primary))) || target;
}

/**
 * For an alert from the scrape of a server's standalone exporter (exporter-targets.ts) that is itself ready: the
 * Service of the server it connects to, resolved as the target. An exporter whose server is outside the cluster
 * stays the target, saying so.
 */
async function serverOfExporter(
  reader: ClusterReader,
  target: ResolvedTarget,
  read: Read,
  primary: Primary,
): Promise<ResolvedTarget | null> {
  const pod = target.pods[0];
  // An exporter that fails itself (not ready, restarting) is what an alert about it is about.
  const scraped = pod && target.kind === 'Pod' && isPodReady(pod) ? scrapedServer(pod) : null;
  if (!scraped) return null;
  const exporter = `The alert comes from exporter pod ${target.namespace}/${scraped.exporter.pod} (${scraped.exporter.image}), which reports about the server it connects to, ${scraped.address}`;
  const service = scraped.service;
  const named: Named | null = service ? { kind: 'Service', ...service, from: [] } : null;
  const found = named ? await lookUp(reader, named, read, primary) : null;
  if (!named || !found) {
    return { ...target, via: `${exporter}: not a Service Medic can find in the cluster, so it looks at the exporter.` };
  }
  return {
    kind: 'Service',
    namespace: named.namespace,
    name: named.name,
    description: describeTarget(named),
    ...found,
    found: true,
    via: `${exporter}: Service ${named.namespace}/${named.name}, which Medic looks at.`,
  };
}

/**
 * What the labels alone cannot tell: the node an exporter pod runs on (null when that pod is gone: the alert then
 * names nothing Medic can find), whether the pod an alert names belongs to the workload it names, and the Service
 * behind an ingress controller's route (ingress-routes.ts).
 */
async function refine(
  reader: ClusterReader,
  named: Named,
  labels: Record<string, string>,
  read: Read,
): Promise<Named | null> {
  if (named.route) {
    const routed = await serviceOfRoute(reader, named.route, labels, read);
    return routed ? { kind: 'Service', ...routed, from: named.from } : null;
  }
  if (named.hostOf) {
    const exporter = await read(reader.getPod(named.hostOf.namespace, named.hostOf.pod), null);
    const node = exporter?.spec?.nodeName;
    return node ? { kind: 'Node', name: node, from: named.from } : null;
  }
  if (!named.pod || !named.namespace) return named;
  const pod = await read(reader.getPod(named.namespace, named.pod.name), null);
  const owner = pod ? await read(reader.workloadOf(pod), null) : null;
  if (owner?.kind !== named.kind || owner.name !== named.name) return named;
  const { pod: namedPod, ...rest } = named;
  return { ...rest, kind: 'Pod', name: namedPod.name, from: [...named.from, namedPod.label] };
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
    case 'PodDisruptionBudget': {
      // policy/v1: an empty selector selects every pod of the namespace; none selects nothing.
      const pdb = await primary(reader.getPdb(ns, t.name));
      if (!pdb) return null;
      const selector = pdb.spec?.selector;
      const pods = !selector ? [] : await read(reader.listPods(ns, labelSelectorString(selector)), []);
      return { pdb, pods, workload: await singleWorkload(reader, pods, read) };
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
