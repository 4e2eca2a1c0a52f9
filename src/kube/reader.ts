/**
 * The read-only view of the cluster that playbooks use. Not-found is `null`, never a throw; any other API failure
 * throws a KubeError (./errors.ts, with the upstream status) which the playbook turns into evidence and `partial: true`.
 * Over 300 lines because it is one short method per kind of read, each the generated call with its answer key in
 * one call scope (./reader-calls.ts); split, the keys a list shares with the GETs it answers would drift apart.
 */
import { type CoreV1Event, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeApis } from './client.js';
import type { ClusterReader, WorkloadKind, WorkloadObject } from './reader-api.js';
import {
  CallScope,
  createSharedCache,
  DEFAULT_ANSWER_TTL_MS,
  type ReadOptions,
  type SharedCache,
} from './reader-calls.js';
import { byName, byNamespacedName, answerKey as key, selectedFrom } from './reader-keys.js';
import { labelSelectorString } from './selectors.js';

export type {
  CoreV1Event as KubeEvent,
  V1Container as Container,
  V1ContainerStatus as ContainerStatus,
  V1CronJob as CronJob,
  V1DaemonSet as DaemonSet,
  V1Deployment as Deployment,
  V1Job as Job,
  V1LimitRange as LimitRange,
  V1Node as Node,
  V1NodeCondition as NodeCondition,
  V1PersistentVolume as PersistentVolume,
  V1PersistentVolumeClaim as PersistentVolumeClaim,
  V1Pod as Pod,
  V1PodDisruptionBudget as PodDisruptionBudget,
  V1PodSpec as PodSpec,
  V1ReplicaSet as ReplicaSet,
  V1ResourceQuota as ResourceQuota,
  V1Service as Service,
  V1StatefulSet as StatefulSet,
  V1StorageClass as StorageClass,
  V2HorizontalPodAutoscaler as HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
export type {
  ClusterReader,
  ContainerUsage,
  ReplicaSetRevision,
  Workload,
  WorkloadKind,
  WorkloadObject,
} from './reader-api.js';
export {
  isFaultDomain,
  labelSelectorString,
  nodeLocation,
  nodeZone,
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
  const custom = apis.config.makeApiClient(CustomObjectsApi);
  return buildReader(apis, custom, shared, options.signal);
}

type List<T> = { items: T[] };

function buildReader(
  apis: KubeApis,
  custom: CustomObjectsApi,
  shared: SharedCache,
  signal?: AbortSignal,
): ClusterReader {
  const scope = new CallScope(shared, signal);
  const opts = () => apis.callOptions(signal);
  const { core, apps, batch, autoscaling, storage, policy } = apis;
  const items = async <T>(p: Promise<List<T> | null>): Promise<T[]> => (await p)?.items ?? [];
  /** A GET; a list of `listedIn` on the wire is waited for and answers it when it holds the object. */
  const get = <T>(k: string, what: string, call: () => Promise<T>, ...listedIn: string[]) =>
    scope.read(k, what, call, { listedIn });
  /** A list whose objects answer the GETs of them while it is fresh. */
  const list = <I>(k: string, what: string, call: () => Promise<List<I>>, options: ReadOptions<List<I>> = {}) =>
    items(scope.read(k, what, call, options));
  const pods = { objects: byNamespacedName(key.pod) };

  const reader: ClusterReader = {
    get requestCount() {
      return scope.requestCount;
    },
    scoped: (s) => buildReader(apis, custom, shared, s),
    getPod: (namespace, name) =>
      get(
        key.pod(namespace, name),
        `get pod ${namespace}/${name}`,
        () => core.readNamespacedPod({ namespace, name }, opts()),
        key.pods(namespace),
      ),
    listPods: (namespace, labelSelector) =>
      list(
        key.pods(namespace, labelSelector),
        `list pods in ${namespace}`,
        () => core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }, opts()),
        { ...pods, derive: () => selectedFrom(shared, key.pods(namespace), labelSelector) },
      ),
    listPodsOnNode: (node) =>
      list(
        key.podsOnNode(node),
        `list pods on node ${node}`,
        () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }, opts()),
        pods,
      ),
    listActivePods: () =>
      list(
        key.activePods(),
        'list running and pending pods',
        () => core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }, opts()),
        pods,
      ),
    eventsFor: async (namespace, kind, name) => {
      const fieldSelector = `involvedObject.kind=${kind},involvedObject.name=${name}`;
      const events = await list(`events/${namespace ?? '*'}/${kind}/${name}`, `list events of ${kind} ${name}`, () =>
        namespace
          ? core.listNamespacedEvent({ namespace, fieldSelector }, opts())
          : core.listEventForAllNamespaces({ fieldSelector }, opts()),
      );
      return [...events].sort((a, b) => eventTime(a) - eventTime(b));
    },
    eventsWithReason: async (namespace, reason) => {
      const events = await list(`events/${namespace}/reason/${reason}`, `list ${reason} events in ${namespace}`, () =>
        core.listNamespacedEvent({ namespace, fieldSelector: `reason=${reason}` }, opts()),
      );
      return [...events].sort((a, b) => eventTime(a) - eventTime(b));
    },
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
      const read = (): Promise<WorkloadObject> => {
        const p = { namespace, name };
        if (kind === 'Deployment') return apps.readNamespacedDeployment(p, opts());
        if (kind === 'StatefulSet') return apps.readNamespacedStatefulSet(p, opts());
        if (kind === 'DaemonSet') return apps.readNamespacedDaemonSet(p, opts());
        if (kind === 'ReplicaSet') return apps.readNamespacedReplicaSet(p, opts());
        return batch.readNamespacedJob(p, opts());
      };
      const listedIn = kind === 'ReplicaSet' ? [key.replicaSets(namespace)] : [];
      const object = await get(key.workload(kind, namespace, name), what, read, ...listedIn);
      return object ? { kind, name, namespace, object } : null;
    },
    replicaSetsOf: async (deployment) => {
      const namespace = deployment.metadata?.namespace ?? 'default';
      // Owner references decide, not labels: a ReplicaSet whose labels were edited is still the Deployment's.
      const all = await list(
        key.replicaSets(namespace),
        `list ReplicaSets in ${namespace}`,
        () => apps.listNamespacedReplicaSet({ namespace }, opts()),
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
      scope.read(`cronjob/${namespace}/${name}`, `get CronJob ${namespace}/${name}`, () =>
        batch.readNamespacedCronJob({ namespace, name }, opts()),
      ),
    getService: (namespace, name) =>
      get(
        key.service(namespace, name),
        `get service ${namespace}/${name}`,
        () => core.readNamespacedService({ namespace, name }, opts()),
        key.services(namespace),
      ),
    listServices: (namespace) =>
      list(
        key.services(namespace),
        `list services in ${namespace}`,
        () => core.listNamespacedService({ namespace }, opts()),
        {
          objects: byNamespacedName(key.service),
        },
      ),
    getNode: (name) => get(key.node(name), `get node ${name}`, () => core.readNode({ name }, opts()), key.nodes()),
    listNodes: () => list(key.nodes(), 'list nodes', () => core.listNode({}, opts()), { objects: byName(key.node) }),
    getPvc: (namespace, name) =>
      scope.read(key.pvc(namespace, name), `get PersistentVolumeClaim ${namespace}/${name}`, () =>
        core.readNamespacedPersistentVolumeClaim({ namespace, name }, opts()),
      ),
    getPv: (name) =>
      get(key.pv(name), `get PersistentVolume ${name}`, () => core.readPersistentVolume({ name }, opts()), key.pvs()),
    listPvs: () =>
      list(key.pvs(), 'list PersistentVolumes', () => core.listPersistentVolume({}, opts()), {
        objects: byName(key.pv),
      }),
    listStorageClasses: () =>
      list(key.storageClasses(), 'list StorageClasses', () => storage.listStorageClass({}, opts()), {
        objects: byName(key.storageClass),
      }),
    getPdb: (namespace, name) =>
      get(key.pdb(namespace, name), `get PodDisruptionBudget ${namespace}/${name}`, () =>
        policy.readNamespacedPodDisruptionBudget({ namespace, name }, opts()),
      ),
    getHpa: (namespace, name) =>
      get(
        key.hpa(namespace, name),
        `get HorizontalPodAutoscaler ${namespace}/${name}`,
        () => autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }, opts()),
        key.hpas(namespace),
      ),
    hpaFor: async (namespace, kind, name) => {
      const hpas = await list(
        key.hpas(namespace),
        `list HorizontalPodAutoscalers in ${namespace}`,
        () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, opts()),
        { objects: byNamespacedName(key.hpa) },
      );
      return hpas.find((h) => h.spec?.scaleTargetRef?.kind === kind && h.spec.scaleTargetRef.name === name) ?? null;
    },
    listResourceQuotas: (namespace) =>
      items(
        scope.read(`quotas/${namespace}`, `list ResourceQuotas in ${namespace}`, () =>
          core.listNamespacedResourceQuota({ namespace }, opts()),
        ),
      ),
    listLimitRanges: (namespace) =>
      items(
        scope.read(`limitranges/${namespace}`, `list LimitRanges in ${namespace}`, () =>
          core.listNamespacedLimitRange({ namespace }, opts()),
        ),
      ),
    podMetrics: async (namespace, name) => {
      const body = (await scope.read(
        `metrics/${namespace}/${name}`,
        `get metrics of pod ${namespace}/${name}`,
        () =>
          custom.getNamespacedCustomObject(
            { group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods', name },
            opts(),
          ) as Promise<{ containers?: { name: string; usage?: Record<string, string> }[] }>,
        { nullStatuses: [404, 503] },
      )) as { containers?: { name: string; usage?: Record<string, string> }[] } | null;
      if (!body) return null;
      return (body.containers ?? []).map((c) => ({ name: c.name, memory: c.usage?.memory, cpu: c.usage?.cpu }));
    },
    logs: (namespace, pod, container, options = {}) =>
      scope.read(
        `log/${namespace}/${pod}/${container}/${options.previous ? 'prev' : 'cur'}/${options.tailLines ?? ''}`,
        `read ${options.previous ? 'previous ' : ''}log of ${namespace}/${pod} (${container})`,
        () =>
          core.readNamespacedPodLog(
            {
              namespace,
              name: pod,
              container,
              ...(options.previous ? { previous: true } : {}),
              ...(options.tailLines ? { tailLines: options.tailLines } : {}),
            },
            opts(),
          ),
        { nullStatuses: [400, 404] },
      ),
  };
  return reader;
}

function isWorkloadKind(kind: string): kind is WorkloadKind {
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'].includes(kind);
}

/** When an event last happened: lastTimestamp, else eventTime, else firstTimestamp (ms; 0 when unknown). */
export function eventTime(event: CoreV1Event): number {
  const t = event.lastTimestamp ?? event.eventTime ?? event.series?.lastObservedTime ?? event.firstTimestamp;
  return t ? new Date(t).getTime() : 0;
}
