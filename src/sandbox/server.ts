/** The sandbox's HTTP transport: fault injection, request counting, routing, and errors as `Status` objects. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { apiGroup, coreVersions, groupList, openApi, resourceList, versionInfo } from './discovery.js';
import { decideFault, type FaultRule, faultError } from './faults.js';
import { podLog } from './logs.js';
import type { KubeObject } from './object.js';
import { getObject, listObjects, scaleOf, selectorFilter } from './read.js';
import { type Route, route } from './router.js';
import { ApiError, methodNotAllowed, pathNotFound } from './status.js';
import type { SandboxStore } from './store.js';
import { toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';
import { handleWrite } from './write.js';

export interface RequestLog {
  total: number;
  /** `GET /api/v1/namespaces/ads/pods` → count. */
  byRoute: Record<string, number>;
  count(method: string, path: string | RegExp): number;
}

export interface ServerState {
  store: SandboxStore;
  faults: FaultRule[];
  latencyMs: number;
  counts: Map<string, number>;
  /** Longest a watch stays open; clients reconnect. */
  maxWatchSeconds: number;
  /** When set, a request needs `Authorization: Bearer <token>` or a verified client certificate (else 401). */
  token?: string | undefined;
  /** Serve HTTPS; with `ca`, client certificates signed by it are asked for and authenticate the request. */
  tls?: SandboxTls | undefined;
}

export interface SandboxTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
}

/** kube-apiserver's answer to a request without valid credentials. */
const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

function isAuthenticated(state: ServerState, req: IncomingMessage): boolean {
  if (!state.token) return true;
  if ((req.socket as TLSSocket).authorized === true) return true;
  return req.headers.authorization === `Bearer ${state.token}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${error instanceof Error ? error.message : error}`,
        );
  sendJson(res, apiError.code, apiError.toStatus());
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function discovery(state: ServerState, r: Extract<Route, { kind: 'discovery' }>, req: IncomingMessage): unknown {
  const registry = state.store.types;
  if (r.doc === 'version') return versionInfo();
  if (r.doc === 'api') return coreVersions(req.headers.host ?? '127.0.0.1');
  if (r.doc === 'apis') return groupList(registry);
  if (r.doc === 'openapi') {
    const doc = openApi(registry, r.apiVersion);
    if (!doc) throw pathNotFound();
    return doc;
  }
  const doc = r.doc === 'group' ? apiGroup(registry, r.apiVersion) : resourceList(registry, r.apiVersion);
  if (!doc) throw pathNotFound();
  return doc;
}

async function serveGet(
  state: ServerState,
  r: Extract<Route, { kind: 'resource' }>,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { store } = state;
  const table = wantsTable(req.headers.accept) && r.subresource === undefined;
  const query = url.searchParams;
  const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (r.name === undefined || isWatch) {
    if (isWatch) {
      const watch = {
        type: r.type,
        namespace: r.namespace,
        name: r.name,
        filter: selectorFilter(r.type, query),
        resourceVersion: query.get('resourceVersion'),
        timeoutSeconds: Number(query.get('timeoutSeconds') ?? 0),
      };
      serveWatch(store, watch, res, state.maxWatchSeconds);
      return;
    }
    const list = listObjects(store, r.type, r.namespace, query);
    if (!table) return sendJson(res, 200, list);
    const rows = toTable(r.type.kind, list.items as unknown as KubeObject[], store.resourceVersion);
    return sendJson(res, 200, { ...rows, metadata: list.metadata });
  }
  const object = getObject(store, r.type, r.namespace, r.name);
  if (r.subresource === 'log') {
    const text = podLog(store, object, query);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (table) return sendJson(res, 200, toTable(r.type.kind, [object], store.resourceVersion));
  sendJson(res, 200, r.subresource === 'scale' ? scaleOf(object) : object);
}

async function serve(state: ServerState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const r = route(url.pathname, state.store.types);
  const method = req.method ?? 'GET';
  if (r.kind === 'discovery') {
    if (method !== 'GET') throw methodNotAllowed(method);
    sendJson(res, 200, discovery(state, r, req));
    return;
  }
  if (method === 'GET') return serveGet(state, r, url, req, res);
  if (!r.type.verbs.includes('create') && method !== 'GET') throw methodNotAllowed(method);
  const result = await handleWrite(state.store, r, method, req, url.searchParams);
  sendJson(res, result.status, result.body);
}

async function applyFaults(state: ServerState, req: IncomingMessage, path: string): Promise<ApiError | 'hung' | null> {
  const outcome = decideFault(state.faults, req.method ?? 'GET', path);
  if (outcome.kind === 'hang') {
    const aborted = new Promise((resolve) => req.socket.once('close', resolve));
    await Promise.race([aborted, delay(outcome.maxMs)]);
    return req.socket.destroyed ? 'hung' : faultError(504);
  }
  const total = state.latencyMs + outcome.delayMs;
  if (total > 0) await delay(total);
  return outcome.kind === 'fail' ? outcome.error : null;
}

export function createSandboxServer(state: ServerState) {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const key = `${req.method} ${url.pathname}`;
    state.counts.set(key, (state.counts.get(key) ?? 0) + 1);
    if (!isAuthenticated(state, req)) {
      sendJson(res, 401, UNAUTHORIZED);
      return;
    }
    applyFaults(state, req, url.pathname)
      .then((fault) => {
        if (fault === 'hung') return;
        if (fault) throw fault;
        return serve(state, req, res, url);
      })
      .catch((error: unknown) => sendError(res, error));
  };
  if (!state.tls) return createServer(handler);
  const { ca, ...tls } = state.tls;
  return createHttpsServer({ ...tls, ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}) }, handler);
}

export function requestLog(counts: Map<string, number>): RequestLog {
  const byRoute = Object.fromEntries(counts);
  let total = 0;
  for (const n of counts.values()) total += n;
  return {
    total,
    byRoute,
    count(method, path) {
      let n = 0;
      for (const [key, value] of counts) {
        const [m, p = ''] = key.split(' ');
        if (m !== method.toUpperCase()) continue;
        if (typeof path === 'string' ? p === path : path.test(p)) n += value;
      }
      return n;
    },
  };
}
