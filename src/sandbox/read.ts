/** GET requests: one object, lists (all namespaces, selectors, paging), the `scale` view and pod logs. */
import type { KubeObject } from './object.js';
import type { ResourceType } from './resources.js';
import { fieldMatcher, labelMatcher, type Matcher } from './selectors.js';
import { badRequest, notFound } from './status.js';
import type { SandboxStore } from './store.js';

export function getObject(store: SandboxStore, type: ResourceType, namespace: string | undefined, name: string) {
  const object = store.getType(type, namespace, name);
  if (!object) throw notFound(type, name);
  return object;
}

/** A filter for list and watch from `labelSelector` and `fieldSelector`. */
export function selectorFilter(type: ResourceType, query: URLSearchParams): Matcher {
  const byLabel = labelMatcher(query.get('labelSelector') ?? undefined);
  const byField = fieldMatcher(query.get('fieldSelector') ?? undefined, type.kind);
  return (object) => (!byLabel || byLabel(object)) && (!byField || byField(object));
}

function compareKeys(a: KubeObject, b: KubeObject): number {
  const ns = (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '');
  return ns !== 0 ? ns : a.metadata.name.localeCompare(b.metadata.name);
}

/** Items of a list response carry no apiVersion/kind, as a real API server's do. */
function listItem(object: KubeObject): Record<string, unknown> {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest;
}

export function listObjects(
  store: SandboxStore,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): { kind: string; apiVersion: string; metadata: Record<string, unknown>; items: Record<string, unknown>[] } {
  const filter = selectorFilter(type, query);
  const all = store.listType(type, namespace).filter(filter).sort(compareKeys);
  const limit = Number(query.get('limit') ?? 0);
  const start = decodeContinue(query.get('continue'));
  const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const more = limit > 0 && start + limit < all.length;
  return {
    kind: `${type.kind}List`,
    apiVersion: type.apiVersion,
    metadata: {
      resourceVersion: store.resourceVersion,
      ...(more ? { continue: encodeContinue(start + limit), remainingItemCount: all.length - start - limit } : {}),
    },
    items: page.map(listItem),
  };
}

function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeContinue(token: string | null): number {
  if (!token) return 0;
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through: the same 400 as for a well-formed but wrong token
  }
  throw badRequest(`invalid continue token "${token}"`);
}

/** The `autoscaling/v1 Scale` view of a Deployment or StatefulSet. */
export function scaleOf(object: KubeObject): Record<string, unknown> {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (object.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}
