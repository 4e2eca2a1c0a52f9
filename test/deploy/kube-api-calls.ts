/**
 * Extracts the Kubernetes API calls a source file makes, as RBAC permissions (group, resource[/subresource], verb).
 * It reads three shapes:
 * - generated client methods on the API objects of src/kube/client.ts (`core.readNamespacedPodLog(`): the name
 *   grammar is verb + `Namespaced`? + Kind + subresource? + `ForAllNamespaces`?;
 * - CustomObjectsApi calls (`custom.getNamespacedCustomObject({ group: 'metrics.k8s.io', plural: 'pods' … })`);
 * - raw API paths in string or template literals (`/apis/metrics.k8s.io/v1beta1/nodes`), whose verb comes from a
 *   nearby `method: 'PATCH'` (else get for one object, list for a collection).
 */

export interface ApiCall {
  group: string;
  /** `pods`, or `pods/log` for a subresource. */
  resource: string;
  verb: string;
  /** Where it was found, for failure messages. */
  source: string;
}

/** API objects of KubeApis (src/kube/client.ts) → API group. */
const API_GROUPS: Record<string, string> = {
  core: '',
  apps: 'apps',
  autoscaling: 'autoscaling',
  batch: 'batch',
  policy: 'policy',
  storage: 'storage.k8s.io',
};

const METHOD_VERBS: Record<string, string> = {
  read: 'get',
  list: 'list',
  patch: 'patch',
  replace: 'update',
  delete: 'delete',
  deleteCollection: 'deletecollection',
  create: 'create',
  connectGet: 'get',
  connectPost: 'create',
};

/** Subresource suffixes of generated method names, longest first so `EphemeralContainers` beats `Containers`. */
const SUBRESOURCES = [
  'EphemeralContainers',
  'PortForward',
  'Eviction',
  'Binding',
  'Status',
  'Resize',
  'Attach',
  'Scale',
  'Proxy',
  'Exec',
  'Log',
];

const HTTP_VERBS: Record<string, string> = {
  GET: 'get',
  PATCH: 'patch',
  PUT: 'update',
  DELETE: 'delete',
  POST: 'create',
};

/** `Pod` → `pods`, `HorizontalPodAutoscaler` → `horizontalpodautoscalers`, `Endpoints` → `endpoints`. */
export function pluralResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Parses a generated method name; null when it is not a Kubernetes API method. */
export function parseMethodName(method: string): { verb: string; resource: string } | null {
  const prefix = Object.keys(METHOD_VERBS)
    .sort((a, b) => b.length - a.length)
    .find((p) => method.startsWith(p) && /^[A-Z]/.test(method.slice(p.length)));
  if (!prefix) return null;
  let rest = method
    .slice(prefix.length)
    .replace(/^Namespaced/, '')
    .replace(/ForAllNamespaces$/, '');
  let subresource = '';
  const suffix = SUBRESOURCES.find((s) => rest.endsWith(s) && rest.length > s.length);
  if (suffix) {
    subresource = suffix.toLowerCase();
    rest = rest.slice(0, -suffix.length);
  }
  if (!/^[A-Z][A-Za-z]*$/.test(rest)) return null;
  const resource = pluralResource(rest) + (subresource ? `/${subresource}` : '');
  return { verb: METHOD_VERBS[prefix] as string, resource };
}

/** Parses a raw API path (`/api/v1/namespaces/x/pods/y/log`, `/apis/g/v/nodes`) into group and resource. */
export function parseApiPath(path: string): { group: string; resource: string; isCollection: boolean } | null {
  const segments = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  let group: string;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] as string;
    rest = segments.slice(3);
  } else {
    return null;
  }
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  if (!resource) return null;
  return { group, resource: subresource ? `${resource}/${subresource}` : resource, isCollection: name === undefined };
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Every Kubernetes API call in `text` (the source of `file`). */
export function extractApiCalls(file: string, text: string): ApiCall[] {
  const calls: ApiCall[] = [];
  for (const m of text.matchAll(/\b(core|apps|autoscaling|batch|policy|storage)\s*\.\s*([a-z][A-Za-z]+)\s*\(/g)) {
    const parsed = parseMethodName(m[2] as string);
    if (!parsed) continue;
    calls.push({
      group: API_GROUPS[m[1] as string] as string,
      ...parsed,
      source: `${file}:${lineOf(text, m.index)} ${m[2]}`,
    });
  }
  const customCall =
    /\.(get|list|patch|replace|delete|create)(?:Namespaced|Cluster)CustomObject(Status|Scale)?\s*\(\s*\{([^}]*)\}/g;
  for (const m of text.matchAll(customCall)) {
    const body = m[3] as string;
    const group = /group:\s*['"]([^'"]+)['"]/.exec(body)?.[1];
    const plural = /plural:\s*['"]([^'"]+)['"]/.exec(body)?.[1];
    if (!group || !plural) {
      throw new Error(`${file}:${lineOf(text, m.index)}: a custom object call whose group/plural is not a literal`);
    }
    const verb = m[1] === 'get' ? 'get' : (METHOD_VERBS[m[1] as string] as string);
    const resource = m[2] ? `${plural}/${(m[2] as string).toLowerCase()}` : plural;
    calls.push({ group, resource, verb, source: `${file}:${lineOf(text, m.index)} ${m[1]}CustomObject` });
  }
  for (const m of text.matchAll(/[`'"][^`'"\n]*?(\/apis?\/[^`'"\s]+)[`'"]/g)) {
    const parsed = parseApiPath((m[1] as string).replace(/\$\{[^}]*\}/g, 'x'));
    if (!parsed) continue;
    const method = /method:\s*['"]([A-Z]+)['"]/.exec(text.slice(m.index, m.index + 400))?.[1];
    const verb = method ? (HTTP_VERBS[method] ?? method.toLowerCase()) : parsed.isCollection ? 'list' : 'get';
    calls.push({
      group: parsed.group,
      resource: parsed.resource,
      verb,
      source: `${file}:${lineOf(text, m.index)} ${m[1]}`,
    });
  }
  return calls;
}
