/**
 * How Medic's own Kubernetes requests travel. client-node's KubeConfig signs each one exactly as its generated
 * clients do (`applySecurityAuthentication`: credentials, exec plugins, client certificates, TLS settings, proxy
 * agents); node:http(s) carries it over a keep-alive agent; the answer is the API server's JSON as parsed.
 * Not client-node's generated clients: they convert every answer into model classes (ObjectSerializer.deserialize,
 * date strings into Date objects) and send through node-fetch; in a bench:e2e profile the Kubernetes request path
 * was 5.6 s of Medic's 19 s of CPU, ~3 s of it that conversion and node-fetch (docs/reliability.md, eighth
 * round). Objects are therefore typed `Wire<…>` (./reader-api.ts): client-node's shapes with their timestamps as
 * the RFC 3339 strings the API server sends.
 */
import { type Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ApiException, HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

const gunzipAsync = promisify(gunzip);

export interface KubeRequest {
  method?: 'GET' | 'PATCH' | 'DELETE';
  /** The API path (`/api/v1/namespaces/ads/pods`), built with `apiPath` so names are escaped. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Default application/json; a patch names its kind (merge, strategic merge, JSON patch). */
  contentType?: string;
  /** Answer as text (a container log), not JSON. */
  text?: boolean;
  signal?: AbortSignal;
}

/** Sends one request; resolves to the parsed answer of a 2xx, else throws ApiException (status, body) or the transport's error. */
export type KubeSend = <T>(request: KubeRequest) => Promise<T>;

/** One request's place under the process's cap and its timeout (./client.ts decides both). */
export interface Admission {
  /** The caller's signal bounded by the request timeout. */
  signal: AbortSignal;
  /** Gives the slot back and reports the outcome (HTTP status, 0 when none arrived); extra calls are no-ops. */
  finish(status: number): void;
}

export type Admit = (method: string, path: string, signal?: AbortSignal) => Promise<Admission>;

/**
 * A path with every interpolated value escaped as one segment: names come from alert labels, and a label
 * `../../secrets` must not walk out of its collection.
 */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, part, i) => path + part + encodeURIComponent(values[i] ?? ''), '');
}

function queryString(query: KubeRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The answer's text. Uncompressed (the sandbox, `kubectl proxy`) it is decoded as it arrives, so it never exists
 * as a second off-heap copy (RSS in the 50,000-alert storm); gzip is decompressed from the whole body.
 */
async function readBody(response: IncomingMessage): Promise<string> {
  if (response.headers['content-encoding'] !== 'gzip') {
    response.setEncoding('utf8');
    let text = '';
    for await (const chunk of response) text += chunk as string;
    return text;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return (await gunzipAsync(Buffer.concat(chunks))).toString('utf8');
}

/** A 2xx answer's JSON; a body that is not JSON (an authenticating proxy's login page, say) is said as such. */
function parseAnswer<T>(text: string, method: string, path: string, status: number): T {
  if (text === '') return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    const excerpt = text.slice(0, 120).replace(/\s+/g, ' ');
    throw new KubeError(
      'KUBE_API',
      `Kubernetes API answered ${method} ${path} with HTTP ${status} but not JSON: "${excerpt}"`,
      {
        status,
      },
    );
  }
}

/**
 * The sender for one KubeConfig: `server` is its current cluster's URL (a path prefix, as a proxy's, is kept);
 * `shareAgent` swaps the per-request agent client-node builds for a keep-alive one (./client.ts).
 */
export function createKubeSend(
  kc: KubeConfig,
  server: string,
  admit: Admit,
  shareAgent: (agent: Agent) => Agent,
): KubeSend {
  const base = server.replace(/\/+$/, '');
  const isHttps = base.startsWith('https:');
  return async <T>(r: KubeRequest): Promise<T> => {
    const method = r.method ?? 'GET';
    const url = `${base}${r.path}${queryString(r.query)}`;
    const signed = new RequestContext(url, HttpMethod[method]);
    await kc.applySecurityAuthentication(signed);
    const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string | number> = {
      ...signed.getHeaders(),
      Accept: r.text ? 'text/plain, */*' : 'application/json',
      // As kubectl's transport: large lists come compressed from a real API server.
      'Accept-Encoding': 'gzip',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = r.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const admission = await admit(method, r.path, r.signal);
    let status = 0;
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const agent = signed.getAgent();
        const options = { method, headers, agent: agent ? shareAgent(agent) : undefined, signal: admission.signal };
        const req = isHttps ? httpsRequest(url, options, resolve) : httpRequest(url, options, resolve);
        req.on('error', reject);
        req.end(payload);
      });
      status = response.statusCode ?? 0;
      const text = await readBody(response);
      if (status < 200 || status > 299) {
        const answered = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)]));
        throw new ApiException(status, `${method} ${r.path} answered ${status}`, text, answered);
      }
      if (r.text) return text as T;
      return parseAnswer<T>(text, method, r.path, status);
    } finally {
      admission.finish(status);
    }
  };
}
