/**
 * Kubeconfig files read the way kubectl reads them, where @kubernetes/client-node 1.4 differs:
 * - KUBECONFIG with several files joined by ':' is merged by kubectl's rules: per cluster, user and context
 *   name the first file that has it wins, and current-context comes from the first file that sets one
 *   (client-node throws on a repeated name); a listed file that does not exist is skipped.
 * - A user's `tokenFile` (kubectl's key; client-node knows only `token-file`) and an exec `command` given as a
 *   relative path are relative to the kubeconfig file, not the working directory.
 * - A plain http:// server (kubectl proxy, a local sandbox) is used over plain HTTP, as kubectl does; client-node
 *   refuses it unless insecure-skip-tls-verify is set, which means nothing without TLS.
 * - An exec credential plugin gets KUBERNETES_EXEC_INFO, as kubectl sets it.
 * Forms kubectl itself refuses, or a credential plugin that is not installed, stop start-up with one sentence.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { MedicError } from '../errors.js';

type RawUser = { name?: string; user?: { tokenFile?: string; 'token-file'?: string; exec?: { command?: string } } };

/** One file, with its relative paths made absolute against the file's directory. */
function loadFile(file: string): KubeConfig {
  const dir = dirname(resolve(file));
  const raw = (parse(readFileSync(file, 'utf8')) ?? {}) as { users?: RawUser[] };
  for (const entry of raw.users ?? []) {
    const user = entry.user;
    // kubectl's key is `tokenFile`; client-node reads only `token-file` (and relative to the working directory).
    const tokenFile = user?.tokenFile ?? user?.['token-file'];
    if (user && tokenFile) user['token-file'] = isAbsolute(tokenFile) ? tokenFile : join(dir, tokenFile);
    const exec = user?.exec;
    if (exec?.command?.includes(sep) && !isAbsolute(exec.command)) exec.command = join(dir, exec.command);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(raw));
  } catch (error) {
    throw new MedicError('CONFIG_INVALID', `KUBECONFIG file ${file} cannot be used: ${(error as Error).message}.`, {
      field: 'KUBECONFIG',
      cause: error,
    });
  }
  kc.makePathsAbsolute(dir);
  return kc;
}

function firstByName<T extends { name: string }>(lists: T[][]): T[] {
  const byName = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!byName.has(item.name)) byName.set(item.name, item);
  return [...byName.values()];
}

/** Loads and merges `paths` (a KUBECONFIG value) by kubectl's rules. */
export function loadKubeconfigFiles(paths: string): KubeConfig {
  const files = paths.split(delimiter).filter((file) => file !== '');
  const present = files.filter((file) => existsSync(file));
  if (present.length === 0) {
    throw new MedicError('CONFIG_INVALID', `KUBECONFIG names no file that exists (${paths}).`, { field: 'KUBECONFIG' });
  }
  const configs = present.map(loadFile);
  return fromParts({
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.currentContext).find((name) => name) ?? '',
  });
}

function fromParts(parts: { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string }) {
  const kc = new KubeConfig();
  kc.loadFromOptions(parts);
  return kc;
}

const REMOVED_AUTH_PROVIDERS: Record<string, string> = {
  gcp: 'kubectl removed it in 1.26; use the gke-gcloud-auth-plugin exec plugin (gcloud components install gke-gcloud-auth-plugin, then gcloud container clusters get-credentials)',
  azure:
    'kubectl removed it in 1.26; use the kubelogin exec plugin (kubelogin convert-kubeconfig -l azurecli, or az aks get-credentials)',
};
const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

function isOnPath(command: string): boolean {
  const candidates = command.includes(sep)
    ? [command]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A sentence for a form of the current context's user that kubectl would refuse too, or null. */
function unsupported(user: User): string | null {
  const provider = (user.authProvider as { name?: string } | undefined)?.name;
  if (provider && REMOVED_AUTH_PROVIDERS[provider]) {
    return `kubeconfig user "${user.name}" uses the ${provider} auth-provider: ${REMOVED_AUTH_PROVIDERS[provider]}.`;
  }
  const exec = user.exec as { command?: string; apiVersion?: string; installHint?: string } | undefined;
  if (!exec) return null;
  if (!exec.apiVersion || !EXEC_API_VERSIONS.includes(exec.apiVersion)) {
    return `kubeconfig user "${user.name}" has an exec plugin with apiVersion "${exec.apiVersion ?? ''}"; kubectl accepts only ${EXEC_API_VERSIONS.join(' and ')}.`;
  }
  if (!exec.command || !isOnPath(exec.command)) {
    const hint = exec.installHint ? ` ${exec.installHint.trim()}` : '';
    return `kubeconfig user "${user.name}" needs the credential plugin "${exec.command ?? ''}", which is not installed on this machine (not found on PATH).${hint}`;
  }
  return null;
}

/**
 * A cluster form Medic cannot use yet. kubectl tunnels through a `proxy-url`, but client-node 1.4's proxy agent
 * never completed a request through an HTTP CONNECT proxy in our test (test/kube/kubeconfig.test.ts): a diagnosis
 * that hangs on every read is worse than a start-up that says so and names the way around it.
 */
function unsupportedCluster(cluster: Cluster): string | null {
  if (!cluster.proxyUrl) return null;
  return (
    `kubeconfig cluster "${cluster.name}" uses proxy-url ${cluster.proxyUrl}, which Medic does not support yet: ` +
    'run `kubectl proxy` beside Medic and set MEDIC_KUBE_SERVER=http://127.0.0.1:8001, or reach the API server directly.'
  );
}

/**
 * What kubectl would do with this config: plain HTTP for http:// servers, KUBERNETES_EXEC_INFO for exec plugins.
 * @throws MedicError (CONFIG_INVALID) for a form kubectl refuses or a missing credential plugin.
 */
export function asKubectlWould(kc: KubeConfig): KubeConfig {
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  const problem = (user ? unsupported(user) : null) ?? (cluster ? unsupportedCluster(cluster) : null);
  if (problem) throw new MedicError('CONFIG_INVALID', problem, { field: 'KUBECONFIG' });
  const clusters = kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c));
  const users = kc.users.map((u) => {
    const exec = u.exec as { apiVersion?: string; env?: { name: string; value: string }[] | null } | undefined;
    if (!exec || exec.env?.some((e) => e.name === 'KUBERNETES_EXEC_INFO')) return u;
    const info = { apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
    return {
      ...u,
      exec: { ...exec, env: [...(exec.env ?? []), { name: 'KUBERNETES_EXEC_INFO', value: JSON.stringify(info) }] },
    };
  });
  return fromParts({ clusters, users, contexts: kc.contexts, currentContext: kc.currentContext });
}
