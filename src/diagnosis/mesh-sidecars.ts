/**
 * An app that cannot connect because its pod's Istio sidecar is not passing its traffic yet. Istio's init
 * container redirects every outbound connection of the pod to Envoy in the istio-proxy container, so until Envoy
 * has its configuration the app's connections are refused or reset, whatever the service it dials: "connection
 * refused" to a healthy database is the sidecar's doing. Two shapes:
 * - istio-proxy is not ready: Envoy has no configuration from istiod ("Envoy proxy is NOT ready: config not received
 *   from XDS server (is Istiod running?)", or its connection to istiod:15012 failing): every start fails alike;
 * - istio-proxy is ready now, but the crashed run started with it, before Envoy listened, and the pod does not hold
 *   the app until the proxy starts (holdApplicationUntilProxyStarts, which places istio-proxy first with a
 *   postStart `pilot-agent wait`; or istio-proxy as a native sidecar, an init container that always restarts).
 */
import type { Evidence } from '../types.js';
import { injectorFor } from './injected-sidecars.js';
import { logLines } from './logs.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, containersOf } from './pods.js';

/** Istio's sidecar, by the container names its injector gives it (injected-sidecars.ts). */
const isIstioProxy = (name: string) => injectorFor(name)?.name === 'Istio';
/** An outbound connection the app could not make. */
const NO_CONNECTION =
  /connection refused|ECONNREFUSED|connection reset by peer|ECONNRESET|upstream connect error|Connection reset|no healthy upstream/i;
const NOT_READY = /Envoy proxy is NOT ready[^\n]*|connection to xds server[^\n]*failed[^\n]*/i;
/** A crashed run that started this soon after the proxy did raced it. */
const RACE_MS = 15_000;

function heldUntilProxyStarts(proxy: ContainerView): boolean {
  const annotation = proxy.pod.metadata?.annotations?.['proxy.istio.io/config'] ?? '';
  const postStart = JSON.stringify(proxy.spec?.lifecycle?.postStart ?? {});
  return /holdApplicationUntilProxyStarts["']?\s*:\s*true/i.test(annotation) || /pilot-agent.*wait/.test(postStart);
}

/** The reading for the app container `focus` whose last log line `line` shows a connection it could not make. */
export async function meshSidecarReading(
  ctx: PlaybookContext,
  focus: ContainerView,
  lines: readonly string[],
): Promise<{ words: string; evidence: Evidence[] } | null> {
  const line = lines.find((l) => NO_CONNECTION.test(l));
  if (!line || isIstioProxy(focus.status.name)) return null;
  // A native sidecar (an init container that always restarts) is ready before the app starts.
  const proxy = containersOf(focus.pod).find((v) => isIstioProxy(v.status.name) && !v.isInit);
  if (!proxy) return null;
  const name = proxy.status.name;
  const failed = NO_CONNECTION.exec(line)?.[0];
  if (!proxy.status.ready) {
    const said = (await logLines(ctx, proxy, { current: true })).map((l) => NOT_READY.exec(l)?.[0]).filter(Boolean);
    const last = said.at(-1);
    return {
      evidence: last ? [{ kind: 'log', text: `${name} log: ${last}` }] : [],
      words: `the pod's ${name} sidecar is not ready${last ? ` ("${last}")` : ''}: Istio sends every outbound connection of the pod through Envoy, and until Envoy has its configuration from istiod (XDS) they fail, so "${failed}" is the sidecar's, not the dependency's. Look at istiod (its pods in istio-system, and whether this pod reaches istiod on port 15012: a NetworkPolicy, a firewall); a rollback, a restart or more memory changes nothing`,
    };
  }
  const run = focus.status.lastState?.terminated;
  const proxyStart = Date.parse(proxy.status.state?.running?.startedAt ?? '');
  const runStart = Date.parse(run?.startedAt ?? '');
  if (heldUntilProxyStarts(proxy) || !(runStart - proxyStart < RACE_MS)) return null;
  return {
    evidence: [],
    words: `the crashed run started ${Math.round(Math.max(0, runStart - proxyStart) / 1000)}s after the pod's ${name} sidecar, before Envoy could pass its traffic, and the pod does not hold the app until the proxy starts: its first connections are refused ("${failed}") whatever the dependency's state. Set holdApplicationUntilProxyStarts (pod annotation proxy.istio.io/config: '{ "holdApplicationUntilProxyStarts": true }', or in the mesh config), or let the app retry its first connections; if later restarts fail the same way with the sidecar ready, the dependency is the cause`,
  };
}
