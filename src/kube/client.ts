/**
 * Connects to a Kubernetes API server: an explicit URL (a `medic sandbox`), KUBECONFIG, or in-cluster config.
 * Every request carries an AbortSignal with a timeout and is reported to `onRequest` (for /metrics).
 * This folder is the only place that imports @kubernetes/client-node.
 */

import { existsSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  PolicyV1Api,
  type RequestContext,
  type ResponseContext,
  StorageV1Api,
} from '@kubernetes/client-node';
import { MedicError } from '../errors.js';
import { asKubectlWould, loadKubeconfigFiles } from './kubeconfig.js';
import { createSharedCache, DEFAULT_ANSWER_TTL_MS, type SharedCache } from './reader-calls.js';
import { processRequestCap, type RequestCap } from './request-cap.js';
import { type Admission, type Admit, createKubeSend, type KubeSend } from './wire.js';

export interface KubeConnectOptions {
  /** API server URL; http:// is allowed (the sandbox). Wins over `kubeconfig`. */
  server?: string | undefined;
  /** Path(s) of a kubeconfig file, as in $KUBECONFIG. */
  kubeconfig?: string | undefined;
}

export interface KubeRequestInfo {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** HTTP status, or 0 when no response arrived (timeout, connection error). */
  status: number;
  durationMs: number;
  /** The configured cluster's name when Medic serves several (medic.yaml `clusters`). */
  cluster?: string;
}

export interface KubeClientOptions {
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
  onRequest?: (info: KubeRequestInfo) => void;
  /** The cap on concurrent requests (./request-cap.ts); default the one every client of the process shares. */
  requestCap?: RequestCap;
  /** The client's short-lived shared answers (./reader-calls.ts); default a new one with DEFAULT_ANSWER_TTL_MS. */
  answers?: SharedCache;
}

export interface KubeApis {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  batch: BatchV1Api;
  policy: PolicyV1Api;
  storage: StorageV1Api;
  /** The API server's base URL (logged at start-up; `send` puts its paths under it). */
  server: string;
  timeoutMs: number;
  /**
   * Options for one call of the generated clients above: its AbortSignal (plus the timeout), extra headers. Medic's
   * reader and writer use `send` instead; the generated clients remain for the readiness check and the sandbox's tests.
   */
  callOptions(signal?: AbortSignal, headers?: Record<string, string>): ConfigurationOptions;
  /** One request, signed by the KubeConfig, under the same cap, timeout and metrics; answers as plain JSON (./wire.ts). */
  send: KubeSend;
  /**
   * Answers shared for a few seconds by every reader of this client (./reader.ts) and by remediation's planning
   * reads (./writer-shared-reads.ts); a change made through this client's writer drops them (./writer.ts).
   */
  answers: SharedCache;
}

/** Loads a KubeConfig: explicit server, else KUBECONFIG/~/.kube/config, else the in-cluster service account. */
export function loadKubeConfig(options: KubeConnectOptions): KubeConfig {
  const kc = new KubeConfig();
  if (options.server) {
    kc.loadFromOptions({
      clusters: [{ name: 'medic', server: options.server, skipTLSVerify: true }],
      users: [{ name: 'medic' }],
      contexts: [{ name: 'medic', cluster: 'medic', user: 'medic' }],
      currentContext: 'medic',
    });
    return kc;
  }
  // KUBECONFIG (one file or several joined by ':'), else ~/.kube/config, else in-cluster; read as kubectl would
  // (src/kube/kubeconfig.ts).
  if (options.kubeconfig) return asKubectlWould(loadKubeconfigFiles(options.kubeconfig));
  const home = join(process.env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return asKubectlWould(loadKubeconfigFiles(home));
  kc.loadFromDefault();
  return kc;
}

/** Where one of several clusters' API is (medic.yaml `clusters`): a KUBECONFIG context, a kubeconfig file, or in-cluster. */
export interface ClusterLocation {
  name: string;
  context?: string | undefined;
  kubeconfig?: string | undefined;
  inCluster?: boolean | undefined;
}

/**
 * Loads the KubeConfig of one configured cluster: its kubeconfig file (that file's current context), the in-cluster
 * service account, or a context of KUBECONFIG (~/.kube/config without it) — by default the context named like the
 * cluster. `setting` names the medic.yaml entry in errors.
 * @throws MedicError CONFIG_INVALID when the context is not in the kubeconfig, or for a form kubectl refuses.
 */
export function loadClusterKubeConfig(
  cluster: ClusterLocation,
  setting: string,
  env: { KUBECONFIG?: string | undefined; HOME?: string | undefined },
): KubeConfig {
  if (cluster.inCluster) {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return kc;
  }
  if (cluster.kubeconfig) return asKubectlWould(loadKubeconfigFiles(cluster.kubeconfig));
  const context = cluster.context ?? cluster.name;
  const files = env.KUBECONFIG || join(env.HOME ?? homedir(), '.kube', 'config');
  const kc = loadKubeconfigFiles(files);
  if (!kc.getContextObject(context)) {
    const known = kc.contexts.map((c) => c.name).join(', ') || 'none';
    throw new MedicError(
      'CONFIG_INVALID',
      `medic.yaml "${setting}": context ${context} is not in the kubeconfig (${files}; its contexts: ${known}); name one of them, or give the cluster a kubeconfig file.`,
      { field: setting },
    );
  }
  kc.setCurrentContext(context);
  return asKubectlWould(kc);
}

/** The TLS settings client-node puts on each request's agent; requests with equal ones can share a connection. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function tlsIdentity(options: Record<string, unknown>): string {
  return TLS_OPTIONS.map((name) => {
    const value = options[name];
    return Buffer.isBuffer(value) ? value.toString('base64') : JSON.stringify(value ?? null);
  }).join('|');
}

/**
 * client-node builds a new http(s).Agent for every request (KubeConfig.applySecurityAuthentication), so every
 * API call opens a new TCP connection — and a new TLS handshake against a real API server. This hands out one
 * keep-alive agent per TLS identity instead (a rotated client certificate gets a new one). Proxy agents
 * (hpagent, socks) are subclasses and are left as they are.
 */
function keepAliveAgents(): (fresh: HttpAgent) => HttpAgent {
  const agents = new Map<string, HttpAgent>();
  return (fresh) => {
    const isHttps = fresh.constructor === HttpsAgent;
    if (!isHttps && fresh.constructor !== HttpAgent) return fresh;
    const options = (fresh as HttpAgent & { options: Record<string, unknown> }).options;
    const key = `${isHttps ? 'https' : 'http'}|${tlsIdentity(options)}`;
    let agent = agents.get(key);
    if (!agent) {
      const shared = { ...options, keepAlive: true };
      agent = isHttps ? new HttpsAgent(shared) : new HttpAgent(shared);
      // Only the newest identity is used from now on: close the older agents' idle sockets (in-flight ones finish).
      for (const old of agents.values()) {
        for (const sockets of Object.values(old.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
      }
      agents.clear();
      agents.set(key, agent);
    }
    return agent;
  };
}

/** The one method client-node's Observable stub needs from a middleware result. */
function asObservable<T>(value: T | Promise<T>): { toPromise(): Promise<T> } {
  return { toPromise: () => Promise.resolve(value) };
}

export function createKubeApis(kc: KubeConfig, options: KubeClientOptions = {}): KubeApis {
  const timeoutMs = options.timeoutMs ?? 5000;
  const server = kc.getCurrentCluster()?.server ?? '';
  const onRequest = options.onRequest;
  const cap = options.requestCap ?? processRequestCap();
  const sharedAgent = keepAliveAgents();

  /**
   * Waits for a slot under the process's cap, then starts the request's timeout. The slot is given back when the
   * answer arrived or the request failed (`finish`), or when it is aborted or times out (the timeout fires at the
   * latest timeoutMs after the slot was taken).
   */
  const admit: Admit = async (method, path, signal) => {
    const slot = await cap.acquire(signal);
    const timeout = AbortSignal.timeout(timeoutMs);
    const bounded = signal ? AbortSignal.any([signal, timeout]) : timeout;
    bounded.addEventListener('abort', slot, { once: true });
    const start = performance.now();
    let finished = false;
    return {
      signal: bounded,
      finish(status) {
        if (finished) return;
        finished = true;
        slot();
        onRequest?.({ method, path, status, durationMs: performance.now() - start });
      },
    };
  };

  const callOptions = (signal?: AbortSignal, headers: Record<string, string> = {}): ConfigurationOptions => {
    let admission: Admission | null = null;
    const pre = async (context: RequestContext): Promise<RequestContext> => {
      admission = await admit(context.getHttpMethod(), new URL(context.getUrl()).pathname, signal);
      context.setSignal(admission.signal);
      const agent = context.getAgent();
      if (agent) context.setAgent(sharedAgent(agent));
      for (const [name, value] of Object.entries(headers)) context.setHeaderParam(name, value);
      return context;
    };
    return {
      middleware: [
        {
          pre: (context: RequestContext) => asObservable(pre(context)),
          // client-node calls no middleware on a failed request: the admission's timeout gives that slot back.
          post: (response: ResponseContext) => {
            admission?.finish(response.httpStatusCode);
            return asObservable(response);
          },
        },
      ],
      middlewareMergeStrategy: 'append',
      // The object-parameter API (what makeApiClient returns) chains middleware through client-node's Observable
      // stub, which calls `toPromise()` on what `pre`/`post` return: a plain Promise fails every request.
    } as unknown as ConfigurationOptions;
  };

  return {
    config: kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    batch: kc.makeApiClient(BatchV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    server,
    timeoutMs,
    callOptions,
    send: createKubeSend(kc, server, admit, sharedAgent),
    answers: options.answers ?? createSharedCache(DEFAULT_ANSWER_TTL_MS),
  };
}
