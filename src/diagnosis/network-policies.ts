/**
 * Which NetworkPolicies isolate a pod, as the networking.k8s.io/v1 API defines them: a policy applies to the pods
 * its podSelector selects in its namespace (an empty selector: all of them), for the directions of its policyTypes
 * (unset: Ingress, plus Egress when it has egress rules); once any policy applies to a pod in a direction, only what
 * some rule of those policies allows gets through, and the rest is dropped (which a client sees as a timeout, not a
 * refusal). Traffic from the pod's own node (the kubelet's probes) is always allowed, and a hostNetwork pod is never
 * isolated. Read here:
 * - a direction with no rule at all (`ingress: []`, `egress: []`): everything is dropped, DNS included;
 * - egress isolation whose rules allow no port 53: every name lookup times out;
 * - otherwise the policies are named, for the reader to check against the address that timed out.
 * Rules are not matched against a destination's labels or CIDR beyond that: a wrong "blocked" would send the
 * reader after the wrong object. Pure, apart from the list of the namespace's policies.
 */
import type { NetworkPolicy, Pod } from '../kube/reader.js';
import { labelSelectorMatcher, labelSelectorString } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { localTrafficGap } from './service-routing.js';

type Direction = 'ingress' | 'egress';

export interface Isolation {
  direction: Direction;
  /** The policies that apply to the pod in this direction. */
  policies: string[];
  /** No rule of any of them allows anything. */
  denyAll: boolean;
  /** Egress only: whether some rule lets lookups out over UDP port 53 (or every port), over TCP only, or neither. */
  dns: 'allowed' | 'tcp-only' | 'blocked';
}

/** A connection that got no answer: what a dropped packet looks like to the client. */
const UNANSWERED =
  /i\/o timeout|ETIMEDOUT|Connection timed out|connect timed out|timed out connecting|context deadline exceeded|Operation timed out|No route to host|EHOSTUNREACH/i;

function selectsPod(policy: NetworkPolicy, pod: Pod): boolean {
  const selector = labelSelectorString(policy.spec?.podSelector);
  if (selector === null) return true; // {}: every pod of the namespace
  return labelSelectorMatcher(selector)?.(pod.metadata?.labels ?? {}) ?? false;
}

function appliesTo(policy: NetworkPolicy, direction: Direction): boolean {
  const types = policy.spec?.policyTypes;
  if (types && types.length > 0) return types.includes(direction === 'ingress' ? 'Ingress' : 'Egress');
  return direction === 'ingress' || (policy.spec?.egress?.length ?? 0) > 0;
}

const coversDns = (p: { port?: number | string; endPort?: number }) =>
  p.port === undefined ||
  p.port === 53 ||
  p.port === 'dns' ||
  (typeof p.port === 'number' && p.endPort !== undefined && p.port <= 53 && p.endPort >= 53);

/**
 * How far a policy's egress rules let name lookups out: a rule with no ports allows every port; a port entry's
 * protocol defaults to TCP, so `port: 53` alone lets only TCP lookups through while resolvers ask over UDP first.
 */
function dnsAccess(policy: NetworkPolicy): Isolation['dns'] {
  let tcp = false;
  for (const rule of policy.spec?.egress ?? []) {
    if (!rule.ports || rule.ports.length === 0) return 'allowed';
    for (const p of rule.ports.filter(coversDns)) {
      if (p.protocol === 'UDP') return 'allowed';
      if ((p.protocol ?? 'TCP') === 'TCP') tcp = true;
    }
  }
  return tcp ? 'tcp-only' : 'blocked';
}

const bestDns = (found: Isolation['dns'][]): Isolation['dns'] =>
  found.includes('allowed') ? 'allowed' : found.includes('tcp-only') ? 'tcp-only' : 'blocked';

/** How the namespace's policies isolate the pod, per direction; a direction no policy applies to is absent. */
export function isolationOf(pod: Pod, policies: readonly NetworkPolicy[]): Isolation[] {
  const found: Isolation[] = [];
  if (pod.spec?.hostNetwork) return found; // policies do not apply to the node's network namespace
  for (const direction of ['ingress', 'egress'] as const) {
    const applying = policies.filter((p) => appliesTo(p, direction) && selectsPod(p, pod));
    if (applying.length === 0) continue;
    found.push({
      direction,
      policies: applying.map((p) => p.metadata?.name ?? '?'),
      denyAll: applying.every((p) => (p.spec?.[direction]?.length ?? 0) === 0),
      dns: direction === 'ingress' ? 'allowed' : bestDns(applying.map(dnsAccess)),
    });
  }
  return found;
}

const named = (names: string[]) => `NetworkPolic${names.length > 1 ? 'ies' : 'y'} ${names.join(', ')}`;

/** A pod's isolation in words, strongest first; null when no policy isolates it. */
export function isolationWords(pod: Pod, isolation: readonly Isolation[]): string | null {
  const name = pod.metadata?.name ?? 'the pod';
  const denied = isolation.filter((i) => i.denyAll);
  if (denied.length > 0) {
    const which = denied.map((i) => i.direction).join(' and ');
    const policies = [...new Set(denied.flatMap((i) => i.policies))];
    return `${named(policies)} select${policies.length > 1 ? '' : 's'} pod ${name} for ${which} and allow${policies.length > 1 ? '' : 's'} none: every ${which === 'ingress' ? 'connection to it' : which === 'egress' ? 'connection it opens, name lookups included,' : 'connection to it or from it, name lookups included,'} is dropped, which its clients see as timeouts. Add a rule for the traffic it needs, or remove the policy if it was not meant for these pods`;
  }
  const egress = isolation.find((i) => i.direction === 'egress');
  if (egress && egress.dns !== 'allowed')
    return `${named(egress.policies)} limit${egress.policies.length > 1 ? '' : 's'} the egress of pod ${name}, and ${egress.dns === 'tcp-only' ? 'its rules allow port 53 over TCP only (a port without a protocol means TCP), while lookups go over UDP' : 'no rule allows port 53'}: its name lookups are dropped and time out. Allow egress to the cluster DNS (kube-system pods k8s-app=kube-dns, UDP and TCP 53)`;
  if (egress)
    return `the egress of pod ${name} is limited by ${named(egress.policies)}: traffic no rule allows is dropped, so check they allow the address that times out`;
  return null;
}

/** A policy as evidence: what it selects, its directions and how many rules each has. */
function policyEvidence(policy: NetworkPolicy): string {
  const selector = labelSelectorString(policy.spec?.podSelector) ?? 'every pod of the namespace';
  const types = (['ingress', 'egress'] as const).filter((d) => appliesTo(policy, d));
  const rules = types.map((d) => `${policy.spec?.[d]?.length ?? 0} ${d} rule(s)`).join(', ');
  return `NetworkPolicy ${policy.metadata?.name} (namespace ${policy.metadata?.namespace}): podSelector ${selector}, policyTypes ${types.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')).join(', ')}; ${rules}`;
}

export interface PolicyReading {
  words: string;
  evidence: string[];
  /** The pod's own name lookups are dropped: a lookup timeout is this, not the cluster DNS. */
  blocksDns: boolean;
}

const ADDRESS = /\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/;

/**
 * For a container whose log shows a connection that got no answer: the policies that drop the pod's own traffic
 * (egress); else, when the address it dialled is a ClusterIP of the pod's namespace, that Service's
 * internalTrafficPolicy Local with no ready pod on this pod's node (service-routing.ts), or policies that drop what
 * reaches its pods (ingress). Null when no line times out or nothing of these explains it.
 */
export async function unansweredReading(
  ctx: PlaybookContext,
  pod: Pod,
  logLines: readonly string[],
): Promise<PolicyReading | null> {
  const line = logLines.find((l) => UNANSWERED.test(l));
  if (!line) return null;
  const namespace = pod.metadata?.namespace ?? 'default';
  const policies = await ctx.read(ctx.reader.listNetworkPolicies(namespace), []);
  const evidenceOf = (names: string[]) =>
    policies.filter((p) => names.includes(p.metadata?.name ?? '')).map(policyEvidence);
  const egress = isolationOf(pod, policies).filter((i) => i.direction === 'egress');
  const own = isolationWords(pod, egress);
  if (own && egress[0] && (egress[0].denyAll || egress[0].dns !== 'allowed'))
    return { words: own, evidence: evidenceOf(egress[0].policies), blocksDns: true };
  const address = ADDRESS.exec(line);
  if (address) {
    const services = await ctx.read(ctx.reader.listServices(namespace), []);
    const service = services.find((s) => s.spec?.clusterIP === address[1]);
    const selector = labelSelectorString(service?.spec?.selector);
    const backends = selector ? await ctx.read(ctx.reader.listPods(namespace, selector), []) : [];
    const backend = backends[0];
    const local = service ? localTrafficGap(service, backends, pod.spec?.nodeName) : null;
    if (local) return { words: local, evidence: [], blocksDns: false };
    const ingress = backend ? isolationOf(backend, policies).filter((i) => i.direction === 'ingress') : [];
    if (service && backend && ingress[0]?.denyAll) {
      const names = ingress[0].policies;
      return {
        words: `the address it times out on, ${address[1]}:${address[2]}, is Service ${service.metadata?.name}, whose pods (${backend.metadata?.name} among them) ${named(names)} select${names.length > 1 ? '' : 's'} for ingress with no rule: every connection to them is dropped. Add an ingress rule for the clients that need them, or remove the policy if it was not meant for these pods`,
        evidence: evidenceOf(names),
        blocksDns: false,
      };
    }
  }
  return own && egress[0] ? { words: own, evidence: evidenceOf(egress[0].policies), blocksDns: false } : null;
}

/**
 * UNKNOWN's finding for a workload no failure explains (asked only when its pods are all Ready): its pods are cut
 * off by a policy that allows nothing in a direction, or none of their name lookups. Pods stay Running and Ready
 * (the kubelet's probes come from the node, which is always allowed), so nothing else shows it. The summary, with
 * its evidence added; null otherwise.
 */
export async function isolationFinding(
  ctx: PlaybookContext,
  target: { pods: Pod[]; description: string },
  evidence: Evidence[],
): Promise<string | null> {
  const pod = target.pods[0];
  if (!pod) return null;
  const policies = await ctx.read(ctx.reader.listNetworkPolicies(pod.metadata?.namespace ?? 'default'), []);
  const isolation = isolationOf(pod, policies).filter(
    (i) => i.denyAll || (i.direction === 'egress' && i.dns !== 'allowed'),
  );
  const words = isolationWords(pod, isolation);
  if (!words) return null;
  const names = new Set(isolation.flatMap((i) => i.policies));
  for (const p of policies.filter((x) => names.has(x.metadata?.name ?? '')))
    evidence.push({ kind: 'spec', text: policyEvidence(p) });
  return `${target.description}: ${words}. Its pods can look healthy: traffic from their own node, the kubelet's probes included, is always allowed. Medic proposes nothing.`;
}
