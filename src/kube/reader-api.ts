/** What the read-only ClusterReader offers playbooks (./reader.ts builds it): its methods and the shapes they return. */
import type {
  CoreV1Event,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1LimitRange,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1ResourceQuota,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'ReplicaSet';
export type WorkloadObject = V1Deployment | V1StatefulSet | V1DaemonSet | V1Job | V1ReplicaSet;
export interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  object: WorkloadObject;
}

export interface ReplicaSetRevision {
  replicaSet: V1ReplicaSet;
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

  getPod(namespace: string, name: string): Promise<V1Pod | null>;
  listPods(namespace: string, labelSelector?: string | null): Promise<V1Pod[]>;
  listPodsOnNode(node: string): Promise<V1Pod[]>;
  /** Pods of every namespace that still hold node resources (not Succeeded or Failed): what nodes have left. */
  listActivePods(): Promise<V1Pod[]>;
  /** Events whose involvedObject is this object, oldest first. Cluster-scoped objects: pass namespace undefined. */
  eventsFor(namespace: string | undefined, kind: string, name: string): Promise<CoreV1Event[]>;
  /** A namespace's events with this reason (`FailedCreate`, say), whatever their object, oldest first. */
  eventsWithReason(namespace: string, reason: string): Promise<CoreV1Event[]>;
  /** The controller of a pod, followed up: Pod→ReplicaSet→Deployment, StatefulSet, DaemonSet, Job. */
  workloadOf(pod: V1Pod): Promise<Workload | null>;
  /**
   * The workload an object of a workload kind serves: a ReplicaSet's Deployment (the ReplicaSet when it has none),
   * else the object itself; null for another kind or an object that is gone.
   */
  controllingWorkload(namespace: string, kind: string, name: string): Promise<Workload | null>;
  getWorkload(namespace: string, kind: WorkloadKind, name: string): Promise<Workload | null>;
  /** ReplicaSets owned by a Deployment, newest revision first. */
  replicaSetsOf(deployment: V1Deployment): Promise<ReplicaSetRevision[]>;
  /** Pods a workload's selector matches. */
  podsOf(workload: Workload): Promise<V1Pod[]>;
  /** A Job's CronJob (its schedule and last successful run), for JOB_FAILED. */
  getCronJob(namespace: string, name: string): Promise<V1CronJob | null>;
  getService(namespace: string, name: string): Promise<V1Service | null>;
  listServices(namespace: string): Promise<V1Service[]>;
  getNode(name: string): Promise<V1Node | null>;
  listNodes(): Promise<V1Node[]>;
  getPvc(namespace: string, name: string): Promise<V1PersistentVolumeClaim | null>;
  getPv(name: string): Promise<V1PersistentVolume | null>;
  listPvs(): Promise<V1PersistentVolume[]>;
  /** Every StorageClass (a cluster has a handful): a claim's class, whether it exists, which one is the default. */
  listStorageClasses(): Promise<V1StorageClass[]>;
  getHpa(namespace: string, name: string): Promise<V2HorizontalPodAutoscaler | null>;
  getPdb(namespace: string, name: string): Promise<V1PodDisruptionBudget | null>;
  /** The HPA whose scaleTargetRef is this workload, if any. */
  hpaFor(namespace: string, kind: string, name: string): Promise<V2HorizontalPodAutoscaler | null>;
  /** The namespace's ResourceQuotas and LimitRanges: what pod creation is checked against at admission. */
  listResourceQuotas(namespace: string): Promise<V1ResourceQuota[]>;
  listLimitRanges(namespace: string): Promise<V1LimitRange[]>;
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
