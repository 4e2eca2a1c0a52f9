/**
 * The cluster writer with its reads answered from the client's shared answers (./reader-calls.ts) while they are
 * fresh: what remediation reads to plan a dry run, right after a diagnosis read the same objects (same keys,
 * ./reader-keys.ts). Only the reads change: writes, dry runs included, always go to the API server. Execution
 * must not plan with this view: it re-reads the object, checks the precondition and patches (src/remediation).
 */
import { isKubeError, KubeError } from './errors.js';
import { CallScope, type ReadOptions, type SharedCache } from './reader-calls.js';
import { byName, byNamespacedName, answerKey as key, selectedFrom } from './reader-keys.js';
import type { ClusterWriter } from './writer.js';

/** Stored as the ClusterReader stores it: not-found is null, for the reader and this view alike. */
const absentAsNull = (error: unknown): null => {
  if (isKubeError(error) && error.status === 404) return null;
  throw error;
};

/** What the writer says for a missing object, from a stored not-found. */
const notFound = (what: string) =>
  new KubeError('NOT_FOUND', `Kubernetes API refused to ${what}: not found (HTTP 404)`, {
    status: 404,
    permanent: true,
  });

export function withSharedReads(writer: ClusterWriter, answers: SharedCache): ClusterWriter {
  async function get<T>(
    k: string,
    what: string,
    signal: AbortSignal | undefined,
    read: () => Promise<T>,
    listedIn: string[] = [],
  ): Promise<T> {
    const value = await new CallScope(answers, signal).read(k, what, () => read().catch(absentAsNull), {
      nullStatuses: [],
      listedIn,
    });
    if (value === null) throw notFound(what);
    return value;
  }
  /** Lists are stored as list answers (`{ items }`), the shape the ClusterReader stores under the same key. */
  async function list<T>(
    k: string,
    what: string,
    signal: AbortSignal | undefined,
    read: () => Promise<T[]>,
    options: ReadOptions<{ items: T[] }>,
  ): Promise<T[]> {
    const answer = await new CallScope(answers, signal).read(k, what, async () => ({ items: await read() }), {
      ...options,
      nullStatuses: [],
    });
    return answer?.items ?? [];
  }

  const view: ClusterWriter = {
    ...writer,
    withSharedReads: () => view,
    readWorkload: (namespace, kind, name, signal) =>
      get(key.workload(kind, namespace, name), `read ${kind} ${namespace}/${name}`, signal, () =>
        writer.readWorkload(namespace, kind, name, signal),
      ),
    listHorizontalPodAutoscalers: (namespace, signal) =>
      list(
        key.hpas(namespace),
        `list HorizontalPodAutoscalers in ${namespace}`,
        signal,
        () => writer.listHorizontalPodAutoscalers(namespace, signal),
        { objects: byNamespacedName(key.hpa) },
      ),
    readHorizontalPodAutoscaler: (namespace, name, signal) =>
      get(
        key.hpa(namespace, name),
        `read HorizontalPodAutoscaler ${namespace}/${name}`,
        signal,
        () => writer.readHorizontalPodAutoscaler(namespace, name, signal),
        [key.hpas(namespace)],
      ),
    listReplicaSets: (namespace, labelSelector, signal) =>
      list(
        key.replicaSets(namespace, labelSelector),
        `list ReplicaSets in ${namespace}`,
        signal,
        () => writer.listReplicaSets(namespace, labelSelector, signal),
        {
          objects: byNamespacedName((ns, name) => key.workload('ReplicaSet', ns, name)),
          derive: () => selectedFrom(answers, key.replicaSets(namespace), labelSelector),
        },
      ),
    readPod: (namespace, name, signal) =>
      get(
        key.pod(namespace, name),
        `read Pod ${namespace}/${name}`,
        signal,
        () => writer.readPod(namespace, name, signal),
        [key.pods(namespace)],
      ),
    readNode: (name, signal) =>
      get(key.node(name), `read Node ${name}`, signal, () => writer.readNode(name, signal), [key.nodes()]),
    listNodes: (signal) =>
      list(key.nodes(), 'list Nodes', signal, () => writer.listNodes(signal), { objects: byName(key.node) }),
    readPersistentVolumeClaim: (namespace, name, signal) =>
      get(key.pvc(namespace, name), `read PersistentVolumeClaim ${namespace}/${name}`, signal, () =>
        writer.readPersistentVolumeClaim(namespace, name, signal),
      ),
    readStorageClass: (name, signal) =>
      get(key.storageClass(name), `read StorageClass ${name}`, signal, () => writer.readStorageClass(name, signal), [
        key.storageClasses(),
      ]),
  };
  return view;
}
