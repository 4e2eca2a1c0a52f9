/**
 * A container that fails because a name does not resolve ("dial tcp: lookup mongodb-geo on 10.96.0.10:53: no such
 * host", Node's "getaddrinfo ENOTFOUND", Java's UnknownHostException, "Temporary failure in name resolution"), read
 * against the pod's DNS settings and the cluster:
 * - a pod that does not ask the cluster's DNS: dnsPolicy None (its dnsConfig's nameservers), Default (the node's
 *   resolver), or hostNetwork with ClusterFirst (which then falls back to the node's): Service names cannot resolve;
 * - a Service name that names no Service (deleted, or misspelt);
 * - a Service that exists while its name does not resolve: the cluster DNS itself (CoreDNS, its Corefile).
 * A new pod fails the same way, so none is replaced for it.
 */
import type { Pod } from '../kube/reader.js';
import type { PlaybookContext } from './playbook.js';

const FAILED_LOOKUP: RegExp[] = [
  // Go's resolver; a timed-out query carries the socket that waited: "… on 10.96.0.10:53: read udp a->b: i/o timeout".
  /lookup ([A-Za-z0-9.-]+)(?: on (\S+?))?: (?:(?:read|write) udp \S+: )?(?:no such host|server misbehaving|i\/o timeout)/,
  /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([A-Za-z0-9.-]+)/,
  /UnknownHostException: ([A-Za-z0-9.-]+)/,
  /Could not resolve host: ([A-Za-z0-9.-]+)/i,
  /()(?:Name or service not known|Temporary failure in name resolution|nodename nor servname provided)/,
];

export interface NameResolution {
  /** The name that did not resolve, when the log says it. */
  host: string | null;
  evidence: string;
  words: string;
}

function failedLookup(lines: readonly string[]): { host: string | null; server: string | null } | null {
  for (const line of lines) {
    for (const re of FAILED_LOOKUP) {
      const m = re.exec(line);
      if (m) return { host: m[1] || null, server: m[2] ?? null };
    }
  }
  return null;
}

/** Why the pod does not use the cluster's DNS, or null when it does. */
function offClusterDns(pod: Pod): string | null {
  const spec = pod.spec;
  const policy = spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') {
    const servers = spec?.dnsConfig?.nameservers ?? [];
    return `its dnsPolicy is None with nameservers ${servers.length > 0 ? servers.join(', ') : 'none'}, so it never asks the cluster DNS`;
  }
  if (policy === 'Default') return "its dnsPolicy is Default, which means the node's resolver, not the cluster DNS";
  if (spec?.hostNetwork && policy === 'ClusterFirst')
    return "it uses the node's network (hostNetwork) with dnsPolicy ClusterFirst, which then falls back to the node's resolver";
  return null;
}

/**
 * The Service a cluster name points at ("db" in the pod's namespace, "db.shop.svc", "db.shop.svc.cluster.local"), or
 * null. "db.shop" is left alone: it cannot be told from an outside name such as "example.com".
 */
function serviceName(host: string, namespace: string): { name: string; namespace: string } | null {
  const parts = host.split('.');
  const [name, ns] = parts;
  if (!name) return null;
  if (parts.length === 1) return { name, namespace };
  if (ns && parts[2] === 'svc') return { name, namespace: ns };
  return null;
}

/** The finding for a container whose telling log lines show a failed lookup; null without one. */
export async function nameResolution(
  ctx: PlaybookContext,
  pod: Pod,
  logLines: readonly string[],
): Promise<NameResolution | null> {
  const lookup = failedLookup(logLines);
  if (!lookup) return null;
  const what = lookup.host ? `the name ${lookup.host}` : 'a name';
  const off = offClusterDns(pod);
  if (off) {
    const fix = pod.spec?.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst';
    return {
      host: lookup.host,
      evidence: `Pod ${pod.metadata?.name}: dnsPolicy ${pod.spec?.dnsPolicy ?? 'ClusterFirst'}${pod.spec?.dnsConfig?.nameservers ? `, dnsConfig nameservers ${pod.spec.dnsConfig.nameservers.join(', ')}` : ''}${pod.spec?.hostNetwork ? ', hostNetwork' : ''}`,
      words: `${what} did not resolve because ${off}: cluster Service names cannot resolve there. Set dnsPolicy ${fix} (or add the cluster DNS to its dnsConfig)`,
    };
  }
  const namespace = pod.metadata?.namespace ?? 'default';
  const service = lookup.host ? serviceName(lookup.host, namespace) : null;
  if (!service) return null;
  const found = await ctx.read(ctx.reader.getService(service.namespace, service.name), null);
  if (!found) {
    return {
      host: lookup.host,
      evidence: `Service ${service.namespace}/${service.name} does not exist`,
      words: `${what} did not resolve because there is no Service ${service.name} in namespace ${service.namespace} (deleted, or the name is wrong): create the Service or correct the name the app is given`,
    };
  }
  return {
    host: lookup.host,
    evidence: `Service ${service.namespace}/${service.name} exists${lookup.server ? `; the lookup asked ${lookup.server}` : ''}`,
    words: `${what} did not resolve though Service ${service.namespace}/${service.name} exists: look at the cluster DNS (the CoreDNS pods in kube-system and its Corefile: a rewrite, template or forward rule that answers for cluster names)`,
  };
}
