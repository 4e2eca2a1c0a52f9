/** Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`) in the plain format. */
import type { ResourceRegistry, ResourceType } from './resources.js';

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-medic-sandbox',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(address: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }],
  };
}

export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const apiVersion of registry.groupVersions()) {
    const slash = apiVersion.indexOf('/');
    if (slash < 0) continue;
    const group = apiVersion.slice(0, slash);
    groups.set(group, [...(groups.get(group) ?? []), apiVersion.slice(slash + 1)]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => groupEntry(name, versions)),
  };
}

function groupEntry(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | null {
  const versions = registry
    .groupVersions()
    .filter((gv) => gv.startsWith(`${group}/`))
    .map((gv) => gv.slice(group.length + 1));
  if (versions.length === 0) return null;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

const SUBRESOURCE_KINDS: Record<string, { group?: string; version?: string; kind: string; verbs: string[] }> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  log: { kind: 'Pod', verbs: ['get'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
};

function resourceEntries(type: ResourceType): Record<string, unknown>[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
    ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length ? { categories: type.categories } : {}),
  };
  const subs = type.subresources.map((sub) => {
    const info = SUBRESOURCE_KINDS[sub] ?? { kind: type.kind, verbs: ['get'] };
    return {
      name: `${type.plural}/${sub}`,
      singularName: '',
      namespaced: type.namespaced,
      ...(info.group !== undefined ? { group: info.group, version: info.version } : {}),
      kind: info.kind || type.kind,
      verbs: info.verbs,
    };
  });
  return [main, ...subs];
}

export function resourceList(registry: ResourceRegistry, apiVersion: string): Record<string, unknown> | null {
  const types = registry.typesOf(apiVersion);
  if (types.length === 0) return null;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersion,
    resources: types.flatMap(resourceEntries),
  };
}

/**
 * OpenAPI v3: the index of group/versions, and per group/version a document without schemas whose operations
 * declare the `fieldValidation` parameter, so kubectl validates on the server instead of downloading schemas.
 */
export function openApi(registry: ResourceRegistry, path: string): Record<string, unknown> | null {
  if (path === '') {
    const paths: Record<string, unknown> = {};
    for (const gv of registry.groupVersions()) {
      const key = gv === 'v1' ? 'api/v1' : `apis/${gv}`;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=sandbox` };
    }
    return { paths };
  }
  const apiVersion = path === 'api/v1' ? 'v1' : path.replace(/^apis\//, '');
  const types = registry.typesOf(apiVersion);
  if (types.length === 0) return null;
  const fieldValidation = { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } };
  const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const operation = {
      parameters: [fieldValidation],
      responses: {},
      'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
    };
    const base = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}` : `${prefix}/${t.plural}`;
    paths[base] = { post: operation };
    paths[`${base}/{name}`] = { put: operation, patch: operation };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: versionInfo().gitVersion },
    paths,
    components: { schemas: {} },
  };
}
