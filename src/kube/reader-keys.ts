/**
 * The keys of the shared answers (./reader-calls.ts) that more than one read can use (events, logs and metrics keep
 * theirs in ./reader.ts). The ClusterReader and remediation's planning reads (./writer-shared-reads.ts) use the
 * same ones, so a dry run planned right after a diagnosis finds what the diagnosis read; and a list answer files
 * each object it holds under the key of a GET of that object.
 */
import { freshAnswer, type SharedCache } from './reader-calls.js';
import { labelSelectorMatcher } from './selectors.js';

const selected = (base: string, labelSelector?: string | null) => `${base}?${labelSelector ?? ''}`;

export const answerKey = {
  pod: (namespace: string, name: string) => `pod/${namespace}/${name}`,
  pods: (namespace: string, labelSelector?: string | null) => selected(`pods/${namespace}`, labelSelector),
  podsOnNode: (node: string) => `pods@${node}`,
  activePods: () => 'pods@active',
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet or Job. */
  workload: (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`,
  replicaSets: (namespace: string, labelSelector?: string | null) => selected(`rs/${namespace}`, labelSelector),
  node: (name: string) => `node/${name}`,
  nodes: () => 'nodes',
  pvc: (namespace: string, name: string) => `pvc/${namespace}/${name}`,
  pv: (name: string) => `pv/${name}`,
  pvs: () => 'pvs',
  storageClass: (name: string) => `storageclass/${name}`,
  storageClasses: () => 'storageclasses',
  hpa: (namespace: string, name: string) => `hpa/${namespace}/${name}`,
  pdb: (namespace: string, name: string) => `pdb/${namespace}/${name}`,
  ingress: (namespace: string, name: string) => `ing/${namespace}/${name}`,
  hpas: (namespace: string) => `hpas/${namespace}`,
  service: (namespace: string, name: string) => `svc/${namespace}/${name}`,
  services: (namespace: string) => `svcs/${namespace}`,
};

interface Listed {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}
type ListAnswer<I> = { items: I[] };

/** The objects of a list answer of namespaced objects, under their GET keys (`key(namespace, name)`). */
export function byNamespacedName<I extends Listed>(key: (namespace: string, name: string) => string) {
  return function* (list: ListAnswer<I>): Iterable<[string, unknown]> {
    for (const item of list.items) {
      const { name, namespace } = item.metadata ?? {};
      if (name && namespace) yield [key(namespace, name), item];
    }
  };
}

/** The objects of a list answer of cluster-scoped objects, under their GET keys (`key(name)`). */
export function byName<I extends Listed>(key: (name: string) => string) {
  return function* (list: ListAnswer<I>): Iterable<[string, unknown]> {
    for (const item of list.items) {
      const name = item.metadata?.name;
      if (name) yield [key(name), item];
    }
  };
}

/**
 * A label-selected list worked out from a fresh answer to the unselected list (`fullKey`), filtered as the API
 * server would; undefined when there is none or the selector uses a form this does not evaluate.
 */
export function selectedFrom<L extends ListAnswer<Listed>>(
  shared: SharedCache,
  fullKey: string,
  labelSelector: string | null | undefined,
): L | undefined {
  if (!labelSelector) return undefined;
  const full = freshAnswer<L | null>(shared, fullKey)?.value;
  const matches = labelSelectorMatcher(labelSelector);
  if (!full || !matches) return undefined;
  return { ...full, items: full.items.filter((item) => matches(item.metadata?.labels ?? {})) };
}
