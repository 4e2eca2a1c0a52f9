/**
 * The read-only view of the cluster that playbooks use. Not-found is `null`, never a throw; any other API failure
 * throws a KubeError (./errors.ts, with the upstream status) which the playbook turns into evidence and `partial: true`.
 * Answers are the API server's JSON as sent (./wire.ts): timestamps are strings (`Wire<…>` types).
 * Over 300 lines because it is one short method per kind of read, each its API path with its answer key in one
 * call scope (./reader-calls.ts); split, the keys a list shares with the GETs it answers would drift apart.
 */
import { LIST_CHUNK, placement, withoutBulk, workloadPath } from './answer-shapes.js';
import type { KubeApis } from './client.js';
import type {
  ClusterReader,
  CronJob,
  HorizontalPodAutoscaler,
  Ingress,
  KubeEvent,
  LimitRange,
  NetworkPolicy,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  ResourceQuota,
  Service,
  StorageClass,
  WorkloadKind,
  WorkloadObject,
} from './reader-api.js';
import {
  CallScope,
  createSharedCache,
  DEFAULT_ANSWER_TTL_MS,
  type ReadOptions,
  type SharedCache,
} from './reader-calls.js';
import { byName, byNamespacedName, answerKey as key, selectedFrom } from './reader-keys.js';
import { labelSelectorString } from './selectors.js';
import { type KubeRequest, apiPath as path } from './wire.js';

export { LIST_CHUNK } from './answer-shapes.js';
export type {
  ClusterReader,
  Container,
  ContainerStatus,
  ContainerUsage,
  CronJob,
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  KubeEvent,
  LimitRange,
  NetworkPolicy,
  Node,
  NodeCondition,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  PodPlacement,
  PodSpec,
  ReplicaSet,
  ReplicaSetRevision,
  ResourceQuota,
  Service,
  StatefulSet,
  StorageClass,
  Wire,
  Workload,
  WorkloadKind,
  WorkloadObject,
} from './reader-api.js';
export { RESTARTED_AT, templateRollout } from './rollouts.js';
export {
  isFaultDomain,
  labelSelectorMatcher,
  labelSelectorString,
  nodeLocation,
  nodeZone,
  volumeNodes,
  volumeZones,
} from './selectors.js';

export interface ClusterReaderOptions {
  signal?: AbortSignal;
  /**
   * Answers kept by this reader alone, for this long (0 = off). Without it (and without `now`) the reader shares
   * its client's answers (KubeApis.answers) with every other reader of the client and with remediation's planning.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

export function createClusterReader(apis: KubeApis, options: ClusterReaderOptions = {}): ClusterReader {
  const isOwn = options.cacheTtlMs !== undefined || options.now !== undefined;
  const shared = isOwn ? createSharedCache(options.cacheTtlMs ?? DEFAULT_ANSWER_TTL_MS, options.now) : apis.answers;
  return buildReader(apis, shared, options.signal);
}

type List<T> = { items: T[] };

function buildReader(apis: KubeApis, shared: SharedCache, signal?: AbortSignal): ClusterReader {
  const scope = new CallScope(shared, signal);
  /** A GET of `p` (with `query`): the API server's answer as parsed JSON. */
  const fetch =
    <T>(p: string, query?: KubeRequest['query']) =>
    () =>
      apis.send<T>({ path: p, ...(query ? { query } : {}), ...(signal ? { signal } : {}) });
  /** Every page of a list (limit and continue, as kubectl reads), each item kept as `keep` makes it. */
  const pages =
    <I, O>(p: string, query: Record<string, string>, keep: (item: I) => O) =>
    async (): Promise<List<O>> => {
      const kept: O[] = [];
      let token: string | undefined;
      do {
        const page = await fetch<List<I> & { metadata?: { continue?: string } }>(p, {
          ...query,
          limit: LIST_CHUNK,
          ...(token ? { continue: token } : {}),
        })();
        for (const item of page.items) kept.push(keep(item));
        token = page.metadata?.continue || undefined;
      } while (token);
      return { items: kept };
    };
  const items = async <T>(p: Promise<List<T> | null>): Promise<T[]> => (await p)?.items ?? [];
  /** A GET; a list of `listedIn` on the wire is waited for and answers it when it holds the object. */
  const get = <T>(k: string, what: string, call: () => Promise<T>, ...listedIn: string[]) =>
    scope.read(k, what, call, { listedIn });
  /** A list whose objects answer the GETs of them while it is fresh. */
  const list = <I>(k: string, what: string, call: () => Promise<List<I>>, options: ReadOptions<List<I>> = {}) =>
    items(scope.read(k, what, call, options));
  const pods = { objects: byNamespacedName(key.pod) };
  const events = async (k: string, what: string, p: string, fieldSelector: string) => {
    const found = await list(k, what, fetch<List<KubeEvent>>(p, { fieldSelector }));
    // Each time parsed once, not at every comparison: a busy namespace has hundreds of events.
    const timed = found.map((event) => ({ event, at: eventTime(event) }));
    return timed.sort((a, b) => a.at - b.at).map(({ event }) => event);
  };

  const reader: ClusterReader = {
    get requestCount() {
      return scope.requestCount;
    },
    scoped: (s) => buildReader(apis, shared, s),
    getPod: (namespace, name) =>
      get(
        key.pod(namespace, name),
        `get pod ${namespace}/${name}`,
        fetch<Pod>(path`/api/v1/namespaces/${namespace}/pods/${name}`),
        key.pods(namespace),
      ),
    listPods: (namespace, labelSelector) =>
      list(
        key.pods(namespace, labelSelector),
        `list pods in ${namespace}`,
        fetch<List<Pod>>(path`/api/v1/namespaces/${namespace}/pods`, labelSelector ? { labelSelector } : undefined),
        { ...pods, derive: () => selectedFrom(shared, key.pods(namespace), labelSelector) },
      ),
    listPodsOnNode: (node) =>
      list(
        key.podsOnNode(node),
        `list pods on node ${node}`,
        fetch<List<Pod>>('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` }),
        pods,
      ),
    // Not stored as GET answers: a placement is not the whole pod.
    listActivePods: () =>
      list(
        key.activePods(),
        'list running and pending pods',
        pages('/api/v1/pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }, placement),
      ),
    eventsFor: (namespace, kind, name) =>
      events(
        `events/${namespace ?? '*'}/${kind}/${name}`,
        `list events of ${kind} ${name}`,
        namespace ? path`/api/v1/namespaces/${namespace}/events` : '/api/v1/events',
        `involvedObject.kind=${kind},involvedObject.name=${name}`,
      ),
    eventsWithReason: (namespace, reason) =>
      events(
        `events/${namespace}/reason/${reason}`,
        `list ${reason} events in ${namespace}`,
        path`/api/v1/namespaces/${namespace}/events`,
        `reason=${reason}`,
      ),
    workloadOf: async (pod) => {
      const owner = pod.metadata?.ownerReferences?.find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
      return owner ? reader.controllingWorkload(pod.metadata?.namespace ?? 'default', owner.kind, owner.name) : null;
    },
    controllingWorkload: async (namespace, kind, name) => {
      if (!isWorkloadKind(kind)) return null;
      const direct = await reader.getWorkload(namespace, kind, name);
      if (direct?.kind !== 'ReplicaSet') return direct;
      const parent = direct.object.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'Deployment');
      if (!parent) return direct;
      return (await reader.getWorkload(namespace, 'Deployment', parent.name)) ?? direct;
    },
    getWorkload: async (namespace, kind, name) => {
      const what = `get ${kind} ${namespace}/${name}`;
      const listedIn = kind === 'ReplicaSet' ? [key.replicaSets(namespace)] : [];
      const read = fetch<WorkloadObject>(workloadPath(kind, namespace, name));
      const object = await get(key.workload(kind, namespace, name), what, read, ...listedIn);
      return object ? { kind, name, namespace, object } : null;
    },
    replicaSetsOf: async (deployment) => {
      const namespace = deployment.metadata?.namespace ?? 'default';
      // Owner references decide, not labels: a ReplicaSet whose labels were edited is still the Deployment's.
      const all = await list(
        key.replicaSets(namespace),
        `list ReplicaSets in ${namespace}`,
        fetch<List<ReplicaSet>>(path`/apis/apps/v1/namespaces/${namespace}/replicasets`),
        { objects: byNamespacedName((ns, rs) => key.workload('ReplicaSet', ns, rs)) },
      );
      const uid = deployment.metadata?.uid;
      const name = deployment.metadata?.name;
      return all
        .filter((rs) =>
          (rs.metadata?.ownerReferences ?? []).some(
            (r) => r.kind === 'Deployment' && (uid ? r.uid === uid : r.name === name),
          ),
        )
        .map((replicaSet) => ({
          replicaSet,
          revision: Number(replicaSet.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0) || 0,
        }))
        .sort((a, b) => b.revision - a.revision);
    },
    podsOf: async (workload) => {
      const spec = workload.object.spec as { selector?: Parameters<typeof labelSelectorString>[0] } | undefined;
      const selector = labelSelectorString(spec?.selector);
      if (!selector) return [];
      return reader.listPods(workload.namespace, selector);
    },
    getCronJob: (namespace, name) =>
      scope.read(
        `cronjob/${namespace}/${name}`,
        `get CronJob ${namespace}/${name}`,
        fetch<CronJob>(path`/apis/batch/v1/namespaces/${namespace}/cronjobs/${name}`),
      ),
    getService: (namespace, name) =>
      get(
        key.service(namespace, name),
        `get service ${namespace}/${name}`,
        fetch<Service>(path`/api/v1/namespaces/${namespace}/services/${name}`),
        key.services(namespace),
      ),
    listServices: (namespace) =>
      list(
        key.services(namespace),
        `list services in ${namespace}`,
        fetch<List<Service>>(path`/api/v1/namespaces/${namespace}/services`),
        { objects: byNamespacedName(key.service) },
      ),
    getNode: (name) =>
      get(
        key.node(name),
        `get node ${name}`,
        async () => withoutBulk(await fetch<Node>(path`/api/v1/nodes/${name}`)()),
        key.nodes(),
      ),
    listNodes: () =>
      list(key.nodes(), 'list nodes', pages('/api/v1/nodes', {}, withoutBulk), { objects: byName(key.node) }),
    getPvc: (namespace, name) =>
      scope.read(
        key.pvc(namespace, name),
        `get PersistentVolumeClaim ${namespace}/${name}`,
        fetch<PersistentVolumeClaim>(path`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`),
      ),
    getPv: (name) =>
      get(
        key.pv(name),
        `get PersistentVolume ${name}`,
        fetch<PersistentVolume>(path`/api/v1/persistentvolumes/${name}`),
        key.pvs(),
      ),
    listPvs: () =>
      list(key.pvs(), 'list PersistentVolumes', fetch<List<PersistentVolume>>('/api/v1/persistentvolumes'), {
        objects: byName(key.pv),
      }),
    listStorageClasses: () =>
      list(
        key.storageClasses(),
        'list StorageClasses',
        fetch<List<StorageClass>>('/apis/storage.k8s.io/v1/storageclasses'),
        { objects: byName(key.storageClass) },
      ),
    getPdb: (namespace, name) =>
      get(
        key.pdb(namespace, name),
        `get PodDisruptionBudget ${namespace}/${name}`,
        fetch<PodDisruptionBudget>(path`/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/${name}`),
      ),
    getIngress: (namespace, name) =>
      get(
        key.ingress(namespace, name),
        `get Ingress ${namespace}/${name}`,
        fetch<Ingress>(path`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}`),
      ),
    getHpa: (namespace, name) =>
      get(
        key.hpa(namespace, name),
        `get HorizontalPodAutoscaler ${namespace}/${name}`,
        fetch<HorizontalPodAutoscaler>(
          path`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${name}`,
        ),
        key.hpas(namespace),
      ),
    hpaFor: async (namespace, kind, name) => {
      const hpas = await list(
        key.hpas(namespace),
        `list HorizontalPodAutoscalers in ${namespace}`,
        fetch<List<HorizontalPodAutoscaler>>(
          path`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
        ),
        { objects: byNamespacedName(key.hpa) },
      );
      return hpas.find((h) => h.spec?.scaleTargetRef?.kind === kind && h.spec.scaleTargetRef.name === name) ?? null;
    },
    listResourceQuotas: (namespace) =>
      items(
        scope.read(
          `quotas/${namespace}`,
          `list ResourceQuotas in ${namespace}`,
          fetch<List<ResourceQuota>>(path`/api/v1/namespaces/${namespace}/resourcequotas`),
        ),
      ),
    listLimitRanges: (namespace) =>
      items(
        scope.read(
          `limitranges/${namespace}`,
          `list LimitRanges in ${namespace}`,
          fetch<List<LimitRange>>(path`/api/v1/namespaces/${namespace}/limitranges`),
        ),
      ),
    listNetworkPolicies: (namespace) =>
      items(
        scope.read(
          `networkpolicies/${namespace}`,
          `list NetworkPolicies in ${namespace}`,
          fetch<List<NetworkPolicy>>(path`/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`),
        ),
      ),
    podMetrics: async (namespace, name) => {
      type PodMetrics = { containers?: { name: string; usage?: Record<string, string> }[] };
      const body = await scope.read(
        `metrics/${namespace}/${name}`,
        `get metrics of pod ${namespace}/${name}`,
        fetch<PodMetrics>(path`/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods/${name}`),
        { nullStatuses: [404, 503] },
      );
      if (!body) return null;
      return (body.containers ?? []).map((c) => ({ name: c.name, memory: c.usage?.memory, cpu: c.usage?.cpu }));
    },
    logs: (namespace, pod, container, options = {}) =>
      scope.read(
        `log/${namespace}/${pod}/${container}/${options.previous ? 'prev' : 'cur'}/${options.tailLines ?? ''}`,
        `read ${options.previous ? 'previous ' : ''}log of ${namespace}/${pod} (${container})`,
        () =>
          apis.send<string>({
            path: path`/api/v1/namespaces/${namespace}/pods/${pod}/log`,
            query: {
              container,
              ...(options.previous ? { previous: true } : {}),
              ...(options.tailLines ? { tailLines: options.tailLines } : {}),
            },
            text: true,
            ...(signal ? { signal } : {}),
          }),
        { nullStatuses: [400, 404] },
      ),
  };
  return reader;
}

function isWorkloadKind(kind: string): kind is WorkloadKind {
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(kind);
}

/*
 * An Event comes in two shapes. The legacy recorder (the kubelet's, most controllers') writes firstTimestamp,
 * lastTimestamp and count. The events.k8s.io recorder (the scheduler's since Kubernetes 1.19, external provisioners',
 * newer controllers') writes eventTime, the first occurrence, and for repeats series.count and
 * series.lastObservedTime, leaving the legacy fields empty. These three read both.
 */

/** When an event last happened (ms; 0 when unknown). */
export function eventTime(event: KubeEvent): number {
  const t = event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** When an event first happened, as its timestamp says it (undefined when it says none). */
export function eventFirstSeen(event: KubeEvent): string | undefined {
  return event.firstTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? undefined;
}

/** How many times an event happened. */
export function eventCount(event: KubeEvent): number {
  return event.count ?? event.series?.count ?? 1;
}
