/**
 * The Service a cluster DNS name names: `svc.ns.svc`, `svc.ns.svc.cluster.local`, a headless Service's pod name
 * (`pod.svc.ns.svc…`); and, where the caller knows the namespace a short name resolves in (a pod's own search
 * domains), `svc` and `svc.ns` too. The one reading of such names for blackbox probes, webhook URLs and exporters'
 * settings. Pure.
 */

/** The host of a URL (scheme and user info dropped) or of a host:port, lower-cased. */
export function hostOf(address: string): string | null {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?([a-z0-9.-]+)/i.exec(address.trim())?.[1]?.toLowerCase() ?? null;
}

/**
 * The Service `host` names, or null for localhost, an IP or a name outside the cluster. Without `namespace` only
 * names that say `.svc` count; with it, `svc` (in that namespace) and `svc.ns` as a pod's resolver reads them.
 */
export function serviceOfHost(host: string, namespace?: string): { namespace: string; name: string } | null {
  if (host === 'localhost' || /^[\d.]+$/.test(host)) return null;
  const parts = host.replace(/\.$/, '').split('.');
  const svc = parts.indexOf('svc');
  const [name, ns] = svc >= 2 ? [parts[svc - 2], parts[svc - 1]] : [undefined, undefined];
  if (name && ns) return { namespace: ns, name };
  if (namespace === undefined || !parts[0]) return null;
  if (parts.length === 1) return { namespace, name: parts[0] };
  if (parts.length === 2 && parts[1]) return { namespace: parts[1], name: parts[0] };
  return null;
}
