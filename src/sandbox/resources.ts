/**
 * The resource types the sandbox serves: the built-in kinds Medic touches, with the names, scopes and verbs
 * a real API server advertises, plus any other kind found in a snapshot, served generically.
 */

export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  /** `v1` or `apps/v1`. */
  apiVersion: string;
  kind: string;
  /** Plural resource name as in URLs: `pods`, `deployments`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served under `<plural>/<name>`, e.g. `scale`, `log`. */
  subresources: string[];
}

const READ = ['get', 'list', 'watch'];
const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Builtin = [
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames?: string[],
  subresources?: string[],
];

/** Built-in kinds; the first group/version of each group is its preferred version. */
const BUILTINS: Builtin[] = [
  ['v1', 'Pod', 'pods', true, ['po'], ['log', 'status', 'eviction']],
  ['v1', 'Service', 'services', true, ['svc'], ['status']],
  ['v1', 'Event', 'events', true, ['ev']],
  ['v1', 'Node', 'nodes', false, ['no'], ['status']],
  ['v1', 'Namespace', 'namespaces', false, ['ns'], ['status']],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']],
  ['v1', 'PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']],
  ['v1', 'ConfigMap', 'configmaps', true, ['cm']],
  ['v1', 'Secret', 'secrets', true],
  ['v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']],
  ['v1', 'Endpoints', 'endpoints', true, ['ep']],
  ['v1', 'LimitRange', 'limitranges', true, ['limits']],
  ['v1', 'ResourceQuota', 'resourcequotas', true, ['quota'], ['status']],
  ['apps/v1', 'Deployment', 'deployments', true, ['deploy'], ['scale', 'status']],
  ['apps/v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['scale', 'status']],
  ['apps/v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['scale', 'status']],
  ['apps/v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status']],
  ['apps/v1', 'ControllerRevision', 'controllerrevisions', true],
  ['batch/v1', 'Job', 'jobs', true, [], ['status']],
  ['batch/v1', 'CronJob', 'cronjobs', true, ['cj'], ['status']],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status']],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']],
  ['rbac.authorization.k8s.io/v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['storage.k8s.io/v1', 'StorageClass', 'storageclasses', false, ['sc']],
  ['networking.k8s.io/v1', 'Ingress', 'ingresses', true, ['ing'], ['status']],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']],
  ['metrics.k8s.io/v1beta1', 'PodMetrics', 'pods', true],
  ['metrics.k8s.io/v1beta1', 'NodeMetrics', 'nodes', false],
  ['sandbox.medic.dev/v1', 'PodLogs', 'podlogs', true],
];

const CATEGORY_ALL = new Set([
  'Pod',
  'Service',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
]);
const READ_ONLY_GROUPS = new Set(['metrics.k8s.io']);

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`, `Gateway` → `gateways`. */
export function pluralize(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

function makeType(apiVersion: string, kind: string, plural: string, namespaced: boolean, b?: Builtin): ResourceType {
  const { group, version } = splitApiVersion(apiVersion);
  return {
    group,
    version,
    apiVersion,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: b?.[4] ?? [],
    categories: CATEGORY_ALL.has(kind) ? ['all'] : [],
    verbs: READ_ONLY_GROUPS.has(group) ? READ : ALL,
    subresources: b?.[5] ?? [],
  };
}

/** Resource types by group/version and plural, and by apiVersion and kind. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly groupOrder: string[] = [];

  constructor() {
    for (const b of BUILTINS) this.add(makeType(b[0], b[1], b[2], b[3], b));
  }

  private add(type: ResourceType): void {
    this.byPath.set(`${type.apiVersion}/${type.plural}`, type);
    this.byKind.set(`${type.apiVersion}/${type.kind}`, type);
    if (!this.groupOrder.includes(type.apiVersion)) this.groupOrder.push(type.apiVersion);
  }

  /** The type of an object, registering an unknown apiVersion/kind (namespaced when the object has a namespace). */
  ensure(apiVersion: string, kind: string, namespaced: boolean): ResourceType {
    const known = this.byKind.get(`${apiVersion}/${kind}`);
    if (known) return known;
    const type = makeType(apiVersion, kind, pluralize(kind), namespaced);
    this.add(type);
    return type;
  }

  byResource(apiVersion: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${apiVersion}/${plural}`);
  }

  byApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Every served group/version, core first, in registration order. */
  groupVersions(): string[] {
    return [...this.groupOrder];
  }

  typesOf(apiVersion: string): ResourceType[] {
    return [...this.byKind.values()].filter((t) => t.apiVersion === apiVersion);
  }
}
