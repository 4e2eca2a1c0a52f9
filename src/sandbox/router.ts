/** Splits a Kubernetes REST path into the discovery document or resource it addresses. */
import type { ResourceRegistry, ResourceType } from './resources.js';
import { pathNotFound } from './status.js';

export type Route =
  | { kind: 'discovery'; doc: 'version' | 'api' | 'apis' | 'group' | 'resources' | 'openapi'; apiVersion: string }
  | {
      kind: 'resource';
      type: ResourceType;
      /** Undefined for a cluster-scoped type or an all-namespaces list. */
      namespace: string | undefined;
      name: string | undefined;
      subresource: string | undefined;
    };

function decode(parts: string[]): string[] {
  return parts.map((p) => decodeURIComponent(p));
}

/** @throws ApiError 404 for a path that names no served resource. */
export function route(pathname: string, registry: ResourceRegistry): Route {
  const parts = decode(pathname.split('/').filter(Boolean));
  if (parts[0] === 'version' && parts.length === 1) return { kind: 'discovery', doc: 'version', apiVersion: '' };
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    return { kind: 'discovery', doc: 'openapi', apiVersion: parts.slice(2).join('/') };
  }
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', doc: 'api', apiVersion: '' };
    if (parts[1] !== 'v1') throw pathNotFound();
    apiVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', doc: 'apis', apiVersion: '' };
    if (parts.length === 2) return { kind: 'discovery', doc: 'group', apiVersion: parts[1] ?? '' };
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else throw pathNotFound();
  if (rest.length === 0) return { kind: 'discovery', doc: 'resources', apiVersion };
  return resourceRoute(apiVersion, rest, registry);
}

function resourceRoute(apiVersion: string, rest: string[], registry: ResourceRegistry): Route {
  let namespace: string | undefined;
  // `namespaces/<ns>/<plural>...` is a namespaced path; `namespaces` or `namespaces/<ns>` is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && apiVersion !== '' && !isNamespaceSubresource(rest)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, extra] = rest;
  const type = plural === undefined ? undefined : registry.byResource(apiVersion, plural);
  if (!type || extra !== undefined) throw pathNotFound();
  if (namespace !== undefined && !type.namespaced) throw pathNotFound();
  if (subresource !== undefined && !type.subresources.includes(subresource)) throw pathNotFound();
  return { kind: 'resource', type, namespace, name, subresource };
}

/** `/api/v1/namespaces/<ns>/status` and `/finalize` address the Namespace, not a resource inside it. */
function isNamespaceSubresource(rest: string[]): boolean {
  return rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
}
