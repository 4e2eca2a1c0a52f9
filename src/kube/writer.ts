/**
 * The cluster writer: the only place that changes the cluster, plus the reads remediation needs to plan a
 * change. Every Kubernetes API call is spelled out here (deploy/ derives Medic's RBAC from this list), and
 * every failure becomes a MedicError through the one translation in ./errors.ts (what is permanent, what is not).
 * Its reads go to the API server; `withSharedReads()` answers them from the client's short-lived shared answers
 * instead, for planning a dry run. A change (not a dry run) drops those answers: what was read before it is stale.
 */
import {
  PatchStrategy,
  type V1DaemonSet,
  type V1Deployment,
  type V1Node,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1ReplicaSet,
  type V1StatefulSet,
  type V1StorageClass,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { KubeApis } from './client.js';
import { toKubeError } from './errors.js';
import { forgetAnswers } from './reader-calls.js';
import { withSharedReads } from './writer-shared-reads.js';

export type {
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1StatefulSet,
  V1StorageClass,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;
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
  listHorizontalPodAutoscalers(namespace: string, signal?: AbortSignal): Promise<V2HorizontalPodAutoscaler[]>;
  readHorizontalPodAutoscaler(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<V2HorizontalPodAutoscaler>;
  patchHorizontalPodAutoscaler(
    namespace: string,
    name: string,
    patch: object,
    options: WriteOptions,
  ): Promise<V2HorizontalPodAutoscaler>;
  listReplicaSets(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<V1ReplicaSet[]>;
  readPod(namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod>;
  /** Deletes a pod only if it still has `uid` (the API server checks the precondition atomically). */
  deletePod(namespace: string, name: string, uid: string, options: WriteOptions): Promise<void>;
  readNode(name: string, signal?: AbortSignal): Promise<V1Node>;
  listNodes(signal?: AbortSignal): Promise<V1Node[]>;
  patchNode(name: string, patch: object, options: WriteOptions): Promise<V1Node>;
  readPersistentVolumeClaim(namespace: string, name: string, signal?: AbortSignal): Promise<V1PersistentVolumeClaim>;
  /** A merge patch of the claim (resize-pvc: `spec.resources.requests.storage`). */
  patchPersistentVolumeClaim(
    namespace: string,
    name: string,
    patch: object,
    options: WriteOptions,
  ): Promise<V1PersistentVolumeClaim>;
  readStorageClass(name: string, signal?: AbortSignal): Promise<V1StorageClass>;
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
  const { apps, core, autoscaling, storage } = apis;
  const opts = (signal?: AbortSignal, type?: PatchType) =>
    apis.callOptions(signal, type ? { 'Content-Type': CONTENT_TYPES[type] } : {});
  /** A write; unless a dry run, the shared answers are dropped once it settled (a failed one may have landed). */
  const write = <T>(options: WriteOptions, what: string, run: () => Promise<T>): Promise<T> =>
    options.dryRun ? call(what, run) : call(what, run).finally(() => forgetAnswers(apis.answers));

  const writer: ClusterWriter = {
    withSharedReads: () => withSharedReads(writer, apis.answers),

    readWorkload(namespace, kind, name, signal) {
      const what = `read ${kind} ${namespace}/${name}`;
      if (kind === 'Deployment')
        return call(what, () => apps.readNamespacedDeployment({ namespace, name }, opts(signal)));
      if (kind === 'StatefulSet') {
        return call(what, () => apps.readNamespacedStatefulSet({ namespace, name }, opts(signal)));
      }
      return call(what, () => apps.readNamespacedDaemonSet({ namespace, name }, opts(signal)));
    },

    patchWorkload(namespace, kind, name, patch, type, options) {
      const what = `patch ${kind} ${namespace}/${name}`;
      // Strict: a field the API server does not know fails the request instead of being dropped silently.
      const request = {
        namespace,
        name,
        body: patch,
        fieldManager: FIELD_MANAGER,
        fieldValidation: 'Strict',
        ...dryRunParam(options),
      };
      const o = opts(options.signal, type);
      if (kind === 'Deployment') return write(options, what, () => apps.patchNamespacedDeployment(request, o));
      if (kind === 'StatefulSet') return write(options, what, () => apps.patchNamespacedStatefulSet(request, o));
      return write(options, what, () => apps.patchNamespacedDaemonSet(request, o));
    },

    async patchScale(namespace, kind, name, replicas, options) {
      const what = `scale ${kind} ${namespace}/${name}`;
      const request = {
        namespace,
        name,
        body: { spec: { replicas } },
        fieldManager: FIELD_MANAGER,
        ...dryRunParam(options),
      };
      const o = opts(options.signal, 'merge');
      const scale =
        kind === 'Deployment'
          ? await write(options, what, () => apps.patchNamespacedDeploymentScale(request, o))
          : await write(options, what, () => apps.patchNamespacedStatefulSetScale(request, o));
      return scale.spec?.replicas ?? replicas;
    },

    async listHorizontalPodAutoscalers(namespace, signal) {
      const list = await call(`list HorizontalPodAutoscalers in ${namespace}`, () =>
        autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, opts(signal)),
      );
      return list.items;
    },

    readHorizontalPodAutoscaler(namespace, name, signal) {
      return call(`read HorizontalPodAutoscaler ${namespace}/${name}`, () =>
        autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }, opts(signal)),
      );
    },

    patchHorizontalPodAutoscaler(namespace, name, patch, options) {
      return write(options, `patch HorizontalPodAutoscaler ${namespace}/${name}`, () =>
        autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { namespace, name, body: patch, fieldManager: FIELD_MANAGER, ...dryRunParam(options) },
          opts(options.signal, 'merge'),
        ),
      );
    },

    async listReplicaSets(namespace, labelSelector, signal) {
      const list = await call(`list ReplicaSets in ${namespace}`, () =>
        apps.listNamespacedReplicaSet({ namespace, labelSelector }, opts(signal)),
      );
      return list.items;
    },

    readPod(namespace, name, signal) {
      return call(`read Pod ${namespace}/${name}`, () => core.readNamespacedPod({ namespace, name }, opts(signal)));
    },

    async deletePod(namespace, name, uid, options) {
      await write(options, `delete Pod ${namespace}/${name}`, () =>
        core.deleteNamespacedPod(
          { namespace, name, body: { preconditions: { uid } }, ...dryRunParam(options) },
          opts(options.signal),
        ),
      );
    },

    readNode(name, signal) {
      return call(`read Node ${name}`, () => core.readNode({ name }, opts(signal)));
    },

    async listNodes(signal) {
      const list = await call('list Nodes', () => core.listNode({}, opts(signal)));
      return list.items;
    },

    patchNode(name, patch, options) {
      return write(options, `patch Node ${name}`, () =>
        core.patchNode(
          { name, body: patch, fieldManager: FIELD_MANAGER, ...dryRunParam(options) },
          opts(options.signal, 'merge'),
        ),
      );
    },

    readPersistentVolumeClaim(namespace, name, signal) {
      return call(`read PersistentVolumeClaim ${namespace}/${name}`, () =>
        core.readNamespacedPersistentVolumeClaim({ namespace, name }, opts(signal)),
      );
    },

    patchPersistentVolumeClaim(namespace, name, patch, options) {
      return write(options, `patch PersistentVolumeClaim ${namespace}/${name}`, () =>
        core.patchNamespacedPersistentVolumeClaim(
          { namespace, name, body: patch, fieldManager: FIELD_MANAGER, ...dryRunParam(options) },
          opts(options.signal, 'merge'),
        ),
      );
    },

    readStorageClass(name, signal) {
      return call(`read StorageClass ${name}`, () => storage.readStorageClass({ name }, opts(signal)));
    },
  };
  return writer;
}
