/**
 * A Kubernetes API server over HTTP, serving a cluster snapshot from memory: `medic sandbox`, `medic diagnose`,
 * the demo, and every test of playbooks and remediation talk to it through the real Kubernetes client.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { type FaultRule, validateFaults } from './faults.js';
import type { KubeObject } from './object.js';
import { createSandboxServer, type RequestLog, requestLog, type SandboxTls, type ServerState } from './server.js';
import { loadSnapshot } from './snapshot.js';
import { SandboxStore } from './store.js';

export type { FaultRule } from './faults.js';
export type { ChangeEvent, KubeObject } from './object.js';
export type { RequestLog, SandboxTls } from './server.js';
export { loadSnapshot } from './snapshot.js';
export { SandboxStore } from './store.js';

export interface SandboxOptions {
  /** Objects to serve (e.g. from `loadSnapshot`); appended after those of `file`. */
  objects?: unknown[];
  /** A snapshot file to load. */
  file?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Delay added to every request. */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Longest a watch stays open before the server ends it (default 300 s); clients re-watch. */
  maxWatchSeconds?: number;
  /** Require this bearer token (or a client certificate signed by `tls.ca`), as an API server does. */
  token?: string;
  /** Serve HTTPS with this certificate (for kubeconfigs with certificate-authority-data, client certificates). */
  tls?: SandboxTls;
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>` (https with `tls`) */
  url: string;
  port: number;
  store: SandboxStore;
  /** Requests served so far, by method and path. */
  requests(): RequestLog;
  setFaults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

/** Starts a sandbox API server on 127.0.0.1. @throws MedicError for a malformed snapshot or fault rule. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const objects: unknown[] = [];
  if (options.file) objects.push(...loadSnapshot(await readFile(options.file, 'utf8'), options.file));
  if (options.objects) {
    objects.push(...loadSnapshot(JSON.stringify({ kind: 'List', items: options.objects }), 'objects'));
  }
  const faults = options.faults ?? [];
  validateFaults(faults);
  const state: ServerState = {
    store: new SandboxStore(objects as KubeObject[]),
    faults,
    latencyMs: options.latencyMs ?? 0,
    counts: new Map(),
    maxWatchSeconds: options.maxWatchSeconds ?? 300,
    token: options.token,
    tls: options.tls,
  };
  const server = createSandboxServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    store: state.store,
    requests: () => requestLog(state.counts),
    setFaults(rules) {
      validateFaults(rules);
      state.faults = rules;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
