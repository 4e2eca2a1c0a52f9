/** What the read-only ClusterReader offers playbooks (./reader.ts builds it): its methods and the shapes they return. */
import type {
  CoreV1Event,
  V1Container,
  V1ContainerStatus,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Ingress,
  V1Job,
  V1LimitRange,
  V1NetworkPolicy,
  V1Node,
  V1NodeCondition,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1ReplicaSet,
  V1ResourceQuota,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/**
 * An API object as the API server sends it (./wire.ts): client-node's model shape, with its timestamps as the
 * RFC 3339 strings on the wire instead of the Date objects client-node's generated clients convert them into.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type KubeEvent = Wire<CoreV1Event>;
export type Container = Wire<V1Container>;
export type ContainerStatus = Wire<V1ContainerStatus>;
export type NodeCondition = Wire<V1NodeCondition>;
export type PodSpec = Wire<V1PodSpec>;
export type CronJob = Wire<V1CronJob>;
export type DaemonSet = Wire<V1DaemonSet>;
export type Deployment = Wire<V1Deployment>;
export type Ingress = Wire<V1Ingress>;
export type Job = Wire<V1Job>;
export type LimitRange = Wire<V1LimitRange>;
export type NetworkPolicy = Wire<V1NetworkPolicy>;
export type Node = Wire<V1Node>;
export type PersistentVolume = Wire<V1PersistentVolume>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type Pod = Wire<V1Pod>;
export type PodDisruptionBudget = Wire<V1PodDisruptionBudget>;
export type ReplicaSet = Wire<V1ReplicaSet>;
export type ResourceQuota = Wire<V1ResourceQuota>;
export type Service = Wire<V1Service>;
export type StatefulSet = Wire<V1StatefulSet>;
export type StorageClass = Wire<V1StorageClass>;
export type HorizontalPodAutoscaler = Wire<V2HorizontalPodAutoscaler>;

/** What a pod holds on its node (ClusterReader.listActivePods): identity, node, phase, its containers' requests. */
export interface PodPlacement {
  metadata?: Pick<NonNullable<Pod['metadata']>, 'name' | 'namespace'>;
  spec?: Pick<PodSpec, 'nodeName' | 'containers' | 'initContainers' | 'overhead'>;
  status?: Pick<NonNullable<Pod['status']>, 'phase'>;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'ReplicaSet';
export type WorkloadObject = Deployment | StatefulSet | DaemonSet | Job | ReplicaSet;
export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  object: WorkloadObject;
}

export interface ReplicaSetRevision {
  replicaSet: ReplicaSet;
  revision: number;
}

export interface ContainerUsage {
  name: string;
  /** Bytes. */
  memory?: string;
  cpu?: string;
}

export interface ClusterReader {
  /** Kubernetes API requests this reader (scope) has made. */
  readonly requestCount: number;
  /** A reader for one diagnosis: its own signal and request count, the same short-lived shared cache. */
  scoped(signal?: AbortSignal): ClusterReader;

  getPod(namespace: string, name: string): Promise<Pod | null>;
  listPods(namespace: string, labelSelector?: string | null): Promise<Pod[]>;
  listPodsOnNode(node: string): Promise<Pod[]>;
  /**
   * Pods of every namespace that still hold node resources (not Succeeded or Failed): what nodes have left. Read in
   * pages of LIST_CHUNK as kubectl reads lists, each pod kept only as its placement: a large cluster's pods never
   * sit in memory whole (a 10,000-pod answer is tens of MB of JSON, Medic's heap is capped at 160 MB).
   */
  listActivePods(): Promise<PodPlacement[]>;
  /** Events whose involvedObject is this object, oldest first. Cluster-scoped objects: pass namespace undefined. */
  eventsFor(namespace: string | undefined, kind: string, name: string): Promise<KubeEvent[]>;
  /** A namespace's events with this reason (`FailedCreate`, say), whatever their object, oldest first. */
  eventsWithReason(namespace: string, reason: string): Promise<KubeEvent[]>;
  /** The controller of a pod, followed up: Pod→ReplicaSet→Deployment, StatefulSet, DaemonSet, Job. */
  workloadOf(pod: Pod): Promise<Workload | null>;
  /**
   * The workload an object of a workload kind serves: a ReplicaSet's Deployment (the ReplicaSet when it has none),
   * else the object itself; null for another kind or an object that is gone.
   */
  controllingWorkload(namespace: string, kind: string, name: string): Promise<Workload | null>;
  getWorkload(namespace: string, kind: WorkloadKind, name: string): Promise<Workload | null>;
  /** ReplicaSets owned by a Deployment, newest revision first. */
  replicaSetsOf(deployment: Deployment): Promise<ReplicaSetRevision[]>;
  /** Pods a workload's selector matches. */
  podsOf(workload: Workload): Promise<Pod[]>;
  /** A Job's CronJob (its schedule and last successful run), for JOB_FAILED. */
  getCronJob(namespace: string, name: string): Promise<CronJob | null>;
  getService(namespace: string, name: string): Promise<Service | null>;
  listServices(namespace: string): Promise<Service[]>;
  /** A node without `status.images` and `metadata.managedFields` (read by no playbook; most of a node's size). */
  getNode(name: string): Promise<Node | null>;
  /** Every node (as getNode has them), read in pages of LIST_CHUNK. */
  listNodes(): Promise<Node[]>;
  getPvc(namespace: string, name: string): Promise<PersistentVolumeClaim | null>;
  getPv(name: string): Promise<PersistentVolume | null>;
  listPvs(): Promise<PersistentVolume[]>;
  /** Every StorageClass (a cluster has a handful): a claim's class, whether it exists, which one is the default. */
  listStorageClasses(): Promise<StorageClass[]>;
  getHpa(namespace: string, name: string): Promise<HorizontalPodAutoscaler | null>;
  getPdb(namespace: string, name: string): Promise<PodDisruptionBudget | null>;
  /** An Ingress: the Services its rules route to, for alerts an ingress controller raises per Ingress. */
  getIngress(namespace: string, name: string): Promise<Ingress | null>;
  /** The HPA whose scaleTargetRef is this workload, if any. */
  hpaFor(namespace: string, kind: string, name: string): Promise<HorizontalPodAutoscaler | null>;
  /** The namespace's ResourceQuotas and LimitRanges: what pod creation is checked against at admission. */
  listResourceQuotas(namespace: string): Promise<ResourceQuota[]>;
  listLimitRanges(namespace: string): Promise<LimitRange[]>;
  /** The namespace's NetworkPolicies: which traffic of its pods is allowed (network-policies.ts). */
  listNetworkPolicies(namespace: string): Promise<NetworkPolicy[]>;
  /** Current usage per container (metrics.k8s.io); null when the pod or the metrics API is absent. */
  podMetrics(namespace: string, name: string): Promise<ContainerUsage[] | null>;
  /** Container log tail; null when there is none (e.g. no previous instance). */
  logs(
    namespace: string,
    pod: string,
    container: string,
    options?: { previous?: boolean; tailLines?: number },
  ): Promise<string | null>;
}
