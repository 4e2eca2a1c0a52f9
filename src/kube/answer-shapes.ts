/**
 * The shapes of answers the reader keeps, and where its objects live: the page size of cluster-wide lists, a pod
 * reduced to its placement, a node without its bulk, a workload object's path.
 */
import type { Container, Node, Pod, PodPlacement, WorkloadKind } from './reader-api.js';
import { apiPath as path } from './wire.js';

/** kubectl's default `--chunk-size`: how many objects one page of a cluster-wide list holds. */
export const LIST_CHUNK = 500;

/**
 * A node without the two parts no playbook reads and that make most of its size: the images its kubelet reports
 * (up to 50 entries) and managedFields. Done to every node answer alike, GET or list, so a node read either way
 * is the same; a cluster of thousands of nodes is kept in far less memory.
 */
export function withoutBulk(node: Node): Node {
  const { managedFields: _fields, ...metadata } = node.metadata ?? {};
  const { images: _images, ...status } = node.status ?? {};
  return { ...node, ...(node.metadata ? { metadata } : {}), ...(node.status ? { status } : {}) };
}

/** A pod reduced to its placement (ClusterReader.listActivePods). */
export function placement(pod: Pod): PodPlacement {
  const requests = (c: Container) => ({
    name: c.name,
    ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
    ...(c.resources?.requests ? { resources: { requests: c.resources.requests } } : {}),
  });
  const spec = pod.spec;
  return {
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '' },
    spec: {
      containers: (spec?.containers ?? []).map(requests),
      ...(spec?.initContainers ? { initContainers: spec.initContainers.map(requests) } : {}),
      ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
      ...(spec?.overhead ? { overhead: spec.overhead } : {}),
    },
    ...(pod.status?.phase ? { status: { phase: pod.status.phase } } : {}),
  };
}

const WORKLOAD_PATHS: Record<WorkloadKind, (namespace: string, name: string) => string> = {
  Deployment: (ns, name) => path`/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
  StatefulSet: (ns, name) => path`/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`,
  DaemonSet: (ns, name) => path`/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`,
  ReplicaSet: (ns, name) => path`/apis/apps/v1/namespaces/${ns}/replicasets/${name}`,
  Job: (ns, name) => path`/apis/batch/v1/namespaces/${ns}/jobs/${name}`,
};

/**
 * The path of an object of a workload kind (apps/v1; Jobs batch/v1), for reads (the reader's and the writer's):
 * each change spells out its own paths, since RBAC is derived from them (test/deploy).
 */
export function workloadPath(kind: WorkloadKind, namespace: string, name: string): string {
  return WORKLOAD_PATHS[kind](namespace, name);
}
