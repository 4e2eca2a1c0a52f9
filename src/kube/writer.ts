/**
 * The cluster writer: the only place that changes the cluster, plus the reads remediation needs to plan a
 * change. Every Kubernetes API call is spelled out here (deploy/ derives Medic's RBAC from this list), and
 * every failure becomes a MedicError through the one translation in ./errors.ts (what is permanent, what is not).
 * Its reads go to the API server; `withSharedReads()` answers them from the client's short-lived shared answers
 * instead, for planning a dry run. A change (not a dry run) drops those answers: what was read before it is stale.
 */
import { PatchStrategy, type V1PodTemplateSpec } from '@kubernetes/client-node';
import { workloadPath } from './answer-shapes.js';
import type { KubeApis } from './client.js';
import { toKubeError } from './errors.js';
import type {
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  Node,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  StatefulSet,
  StorageClass,
  Wire,
} from './reader-api.js';
import { forgetAnswers } from './reader-calls.js';
import { apiPath as path } from './wire.js';
import { withSharedReads } from './writer-shared-reads.js';

/** The shapes remediation plans with (./reader-api.ts). */
export type { Container, Deployment, HorizontalPodAutoscaler, ReplicaSet } from './reader-api.js';
export { RESTARTED_AT, templateRollout } from './rollouts.js';
export type PodTemplateSpec = Wire<V1PodTemplateSpec>;

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export type Workload = Deployment | StatefulSet | DaemonSet;
export type PatchType = 'strategic' | 'merge' | 'json';

export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): the API server validates and admits the change but stores nothing. */
  dryRun: boolean;
  signal?: AbortSignal | undefined;
}

/** The narrow read/write surface remediation uses; production and tests both use the real client. */
export interface ClusterWriter {
  readWorkload(namespace: string, kind: WorkloadKind, name: string, signal?: AbortSignal): Promise<Workload>;
  patchWorkload(
    namespace: string,
    kind: WorkloadKind,
    name: string,
    patch: object,
    type: PatchType,
    options: WriteOptions,
  ): Promise<Workload>;
  /** Sets replicas through the `scale` subresource (Deployment or StatefulSet). */
  patchScale(
    namespace: string,
    kind: 'Deployment' | 'StatefulSet',
    name: string,
    replicas: number,
    options: WriteOptions,
  ): Promise<number>;
  listHorizontalPodAutoscalers(namespace: string, signal?: AbortSignal): Promise<HorizontalPodAutoscaler[]>;
  readHorizontalPodAutoscaler(namespace: string, name: string, signal?: AbortSignal): Promise<HorizontalPodAutoscaler>;
  patchHorizontalPodAutoscaler(
    namespace: string,
    name: string,
    patch: object,
    options: WriteOptions,
  ): Promise<HorizontalPodAutoscaler>;
  listReplicaSets(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<ReplicaSet[]>;
  readPod(namespace: string, name: string, signal?: AbortSignal): Promise<Pod>;
  /** Deletes a pod only if it still has `uid` (the API server checks the precondition atomically). */
  deletePod(namespace: string, name: string, uid: string, options: WriteOptions): Promise<void>;
  readNode(name: string, signal?: AbortSignal): Promise<Node>;
  listNodes(signal?: AbortSignal): Promise<Node[]>;
  patchNode(name: string, patch: object, options: WriteOptions): Promise<Node>;
  readPersistentVolumeClaim(namespace: string, name: string, signal?: AbortSignal): Promise<PersistentVolumeClaim>;
  /** A merge patch of the claim (resize-pvc: `spec.resources.requests.storage`). */
  patchPersistentVolumeClaim(
    namespace: string,
    name: string,
    patch: object,
    options: WriteOptions,
  ): Promise<PersistentVolumeClaim>;
  readStorageClass(name: string, signal?: AbortSignal): Promise<StorageClass>;
  /**
   * This writer with its reads answered from the client's shared answers while fresh (./writer-shared-reads.ts):
   * for planning a dry run right after a diagnosis read the same objects. Never for execution.
   */
  withSharedReads(): ClusterWriter;
}

const CONTENT_TYPES: Record<PatchType, string> = {
  strategic: PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
};

/** Names Medic's changes in managedFields, so `kubectl get -o yaml --show-managed-fields` shows who did it. */
export const FIELD_MANAGER = 'medic';

async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toKubeError(error, action);
  }
}

const dryRunParam = (options: WriteOptions) => (options.dryRun ? { dryRun: 'All' } : {});

export function createClusterWriter(apis: KubeApis): ClusterWriter {
  const read = <T>(what: string, p: string, signal?: AbortSignal, query?: Record<string, string>) =>
    call(what, () => apis.send<T>({ path: p, ...(query ? { query } : {}), ...(signal ? { signal } : {}) }));
  /** A change (a dry run when options.dryRun); unless a dry run, the shared answers are dropped once it settled (a failed one may have landed). */
  const write = <T>(
    options: WriteOptions,
    what: string,
    request: {
      method: 'PATCH' | 'DELETE';
      path: string;
      body: unknown;
      type?: PatchType;
      query?: Record<string, string>;
    },
  ): Promise<T> => {
    const run = () =>
      apis.send<T>({
        method: request.method,
        path: request.path,
        body: request.body,
        query: { ...request.query, ...dryRunParam(options) },
        ...(request.type ? { contentType: CONTENT_TYPES[request.type] } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    return options.dryRun ? call(what, run) : call(what, run).finally(() => forgetAnswers(apis.answers));
  };
  const managed = { fieldManager: FIELD_MANAGER };

  const writer: ClusterWriter = {
    withSharedReads: () => withSharedReads(writer, apis.answers),

    readWorkload: (namespace, kind, name, signal) =>
      read(`read ${kind} ${namespace}/${name}`, workloadPath(kind, namespace, name), signal),

    // Strict: a field the API server does not know fails the request instead of being dropped silently.
    patchWorkload(namespace, kind, name, patch, type, options) {
      const paths: Record<WorkloadKind, string> = {
        Deployment: path`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
        StatefulSet: path`/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}`,
        DaemonSet: path`/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}`,
      };
      return write(options, `patch ${kind} ${namespace}/${name}`, {
        method: 'PATCH',
        path: paths[kind],
        body: patch,
        type,
        query: { ...managed, fieldValidation: 'Strict' },
      });
    },

    async patchScale(namespace, kind, name, replicas, options) {
      const paths = {
        Deployment: path`/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
        StatefulSet: path`/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}/scale`,
      };
      const scale = await write<{ spec?: { replicas?: number } }>(options, `scale ${kind} ${namespace}/${name}`, {
        method: 'PATCH',
        path: paths[kind],
        body: { spec: { replicas } },
        type: 'merge',
        query: managed,
      });
      return scale.spec?.replicas ?? replicas;
    },

    async listHorizontalPodAutoscalers(namespace, signal) {
      const list = await read<{ items: HorizontalPodAutoscaler[] }>(
        `list HorizontalPodAutoscalers in ${namespace}`,
        path`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
        signal,
      );
      return list.items;
    },

    readHorizontalPodAutoscaler: (namespace, name, signal) =>
      read(
        `read HorizontalPodAutoscaler ${namespace}/${name}`,
        path`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${name}`,
        signal,
      ),

    patchHorizontalPodAutoscaler: (namespace, name, patch, options) =>
      write(options, `patch HorizontalPodAutoscaler ${namespace}/${name}`, {
        method: 'PATCH',
        path: path`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/${name}`,
        body: patch,
        type: 'merge',
        query: managed,
      }),

    async listReplicaSets(namespace, labelSelector, signal) {
      const list = await read<{ items: ReplicaSet[] }>(
        `list ReplicaSets in ${namespace}`,
        path`/apis/apps/v1/namespaces/${namespace}/replicasets`,
        signal,
        { labelSelector },
      );
      return list.items;
    },

    readPod: (namespace, name, signal) =>
      read(`read Pod ${namespace}/${name}`, path`/api/v1/namespaces/${namespace}/pods/${name}`, signal),

    async deletePod(namespace, name, uid, options) {
      await write(options, `delete Pod ${namespace}/${name}`, {
        method: 'DELETE',
        path: path`/api/v1/namespaces/${namespace}/pods/${name}`,
        body: { preconditions: { uid } },
      });
    },

    readNode: (name, signal) => read(`read Node ${name}`, path`/api/v1/nodes/${name}`, signal),

    async listNodes(signal) {
      return (await read<{ items: Node[] }>('list Nodes', '/api/v1/nodes', signal)).items;
    },

    patchNode: (name, patch, options) =>
      write(options, `patch Node ${name}`, {
        method: 'PATCH',
        path: path`/api/v1/nodes/${name}`,
        body: patch,
        type: 'merge',
        query: managed,
      }),

    readPersistentVolumeClaim: (namespace, name, signal) =>
      read(
        `read PersistentVolumeClaim ${namespace}/${name}`,
        path`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`,
        signal,
      ),

    patchPersistentVolumeClaim: (namespace, name, patch, options) =>
      write(options, `patch PersistentVolumeClaim ${namespace}/${name}`, {
        method: 'PATCH',
        path: path`/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`,
        body: patch,
        type: 'merge',
        query: managed,
      }),

    readStorageClass: (name, signal) =>
      read(`read StorageClass ${name}`, path`/apis/storage.k8s.io/v1/storageclasses/${name}`, signal),
  };
  return writer;
}
