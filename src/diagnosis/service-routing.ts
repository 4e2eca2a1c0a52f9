/**
 * A Service that cannot route to its pods while they run: a selector no pod matches (no endpoints: every
 * connection fails), or a targetPort no container of its pods serves. A named targetPort a container does not
 * declare gives the pod no endpoint; a numeric one only fails when nothing listens there, and a container may listen
 * on a port it does not declare, so that finding says so. A Service with internalTrafficPolicy: Local sends a caller
 * only to a ready pod on the caller's own node (kube-proxy drops the connection when there is none): callers on the
 * other nodes time out while every pod is healthy, unless a pod runs on every node (a DaemonSet's, the usual reason
 * for Local).
 */
import type { Pod, Service } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext, ResolvedTarget } from './playbook.js';
import { isPodReady, listNames, podName } from './pods.js';

const pairs = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`);

/** The selector pairs a pod lacks (absent label or another value). */
function misses(selector: Record<string, string>, pod: Pod): { key: string; want: string; has?: string }[] {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector)
    .filter(([k, v]) => labels[k] !== v)
    .map(([key, want]) => ({ key, want, ...(labels[key] !== undefined ? { has: labels[key] } : {}) }));
}

/** Edits (insert, delete, replace) between two label values: how close a typo is. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Pods of the namespace that miss the selector by one label only: most likely the pods the Service was meant for.
 * With a one-label selector every pod with that key misses by one, so only a value a typo away counts. The pods
 * are grouped by what they have instead; the closest, then largest group is named.
 */
async function nearMiss(ctx: PlaybookContext, svc: Service, selector: Record<string, string>): Promise<string | null> {
  const pods = await ctx.read(ctx.reader.listPods(svc.metadata?.namespace ?? 'default'), []);
  const single = Object.keys(selector).length === 1;
  const groups = new Map<string, { pods: Pod[]; key: string; want: string; has?: string; distance: number }>();
  for (const pod of pods) {
    const miss = misses(selector, pod);
    const only = miss[0];
    if (miss.length !== 1 || !only) continue;
    const distance = only.has === undefined ? Number.POSITIVE_INFINITY : editDistance(only.has, only.want);
    if (single && distance > Math.max(2, Math.floor(only.want.length / 3))) continue;
    const id = `${only.key}=${only.has ?? ''}`;
    const group = groups.get(id) ?? { ...only, pods: [], distance };
    group.pods.push(pod);
    groups.set(id, group);
  }
  const best = [...groups.values()].sort((a, b) => a.distance - b.distance || b.pods.length - a.pods.length)[0];
  if (!best) return null;
  const names = listNames(
    best.pods.map((p) => podName(p)),
    3,
  );
  return `Pods ${names} match every other label of the selector but ${best.has === undefined ? `have no label ${best.key}` : `have ${best.key}=${best.has}`}, where the Service asks ${best.key}=${best.want}`;
}

/** Ports the pods' containers declare, as "8080/http". */
function declaredPorts(pods: Pod[]): { numbers: Set<number>; names: Set<string>; text: string } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const pod of pods) {
    for (const c of pod.spec?.containers ?? []) {
      for (const p of c.ports ?? []) {
        numbers.add(p.containerPort);
        if (p.name) names.add(p.name);
      }
    }
  }
  const spec = pods[0]?.spec?.containers.flatMap((c) => c.ports ?? []) ?? [];
  return { numbers, names, text: spec.map((p) => `${p.containerPort}${p.name ? `/${p.name}` : ''}`).join(', ') };
}

/** The summary for a Service that cannot route to its running pods (adds evidence), or null. */
export async function serviceRouting(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const svc = target.service;
  const selector = svc?.spec?.selector;
  if (target.kind !== 'Service' || !svc || !selector || Object.keys(selector).length === 0) return null;
  const name = `Service ${svc.metadata?.namespace}/${svc.metadata?.name}`;
  if (target.pods.length === 0) {
    const near = await nearMiss(ctx, svc, selector);
    evidence.push({ kind: 'spec', text: `${name} selects ${pairs(selector).join(', ')}: no pod matches` });
    if (near) evidence.push({ kind: 'status', text: near });
    return `${name}'s selector (${pairs(selector).join(', ')}) matches no pod, so it has no endpoints: every connection to it fails, however healthy the pods are.${near ? ` ${near}.` : ''} Correct the Service's selector (or the pods' labels); Medic proposes nothing.`;
  }
  const declared = declaredPorts(target.pods);
  // Only a main container (the first listed) that declares its ports says where the app listens: a sidecar's
  // declared ports (a mesh proxy's) say nothing about the app's.
  if ((target.pods[0]?.spec?.containers[0]?.ports ?? []).length === 0)
    return localTrafficFinding(ctx, svc, target.pods, evidence);
  for (const port of svc.spec?.ports ?? []) {
    const wanted = port.targetPort ?? port.port;
    const label = `port ${port.port}${port.name ? ` (${port.name})` : ''}`;
    if (typeof wanted === 'string' && !/^\d+$/.test(wanted) && !declared.names.has(wanted)) {
      evidence.push({
        kind: 'spec',
        text: `${name} ${label} → targetPort ${wanted}; its pods declare ${declared.text}`,
      });
      return `${name}'s ${label} targets the port named ${wanted}, which no container of its pods declares (they declare ${declared.text}): the pods get no endpoint on it and connections fail. Point targetPort at the port the app serves; Medic proposes nothing.`;
    }
    const number = Number(wanted);
    if (Number.isInteger(number) && !declared.numbers.has(number)) {
      evidence.push({
        kind: 'spec',
        text: `${name} ${label} → targetPort ${number}; its pods declare ${declared.text}`,
      });
      return `${name}'s ${label} sends traffic to targetPort ${number}, but the containers of its pods declare ${declared.text}, not ${number}: unless the app also listens on ${number} without declaring it, every connection through the Service is refused while the pods look healthy. Point targetPort at the port the app serves (likely ${declared.text.split(/[/,]/)[0]}); Medic proposes nothing.`;
    }
  }
  return localTrafficFinding(ctx, svc, target.pods, evidence);
}

/** The nodes that host a ready pod of the Service. */
const backendNodes = (pods: Pod[]) =>
  [...new Set(pods.filter(isPodReady).flatMap((p) => (p.spec?.nodeName ? [p.spec.nodeName] : [])))].sort();

/**
 * For a caller on `callerNode` whose connections to the Service get no answer: the Service's internalTrafficPolicy
 * Local with no ready pod of it on that node, in words; null otherwise.
 */
export function localTrafficGap(svc: Service, backends: Pod[], callerNode: string | undefined): string | null {
  if (svc.spec?.internalTrafficPolicy !== 'Local' || !callerNode) return null;
  const nodes = backendNodes(backends);
  if (nodes.includes(callerNode)) return null;
  return `Service ${svc.metadata?.name} has internalTrafficPolicy: Local, and no ready pod of it runs on this pod's node ${callerNode} (its ready pods run on ${nodes.length > 0 ? listNames(nodes, 4) : 'no node'}): kube-proxy drops the connection instead of sending it to another node. Set internalTrafficPolicy: Cluster, unless node-local traffic is the point (then run a pod of it on every node)`;
}

/** A Service whose internalTrafficPolicy Local leaves callers on nodes without a ready pod of it unanswered. */
async function localTrafficFinding(
  ctx: PlaybookContext,
  svc: Service,
  pods: Pod[],
  evidence: Evidence[],
): Promise<string | null> {
  if (svc.spec?.internalTrafficPolicy !== 'Local') return null;
  const hosting = backendNodes(pods);
  const nodes = (await ctx.read(ctx.reader.listNodes(), [])).filter(
    (n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const without = nodes.map((n) => n.metadata?.name ?? '').filter((n) => n && !hosting.includes(n));
  if (without.length === 0) return null;
  const name = `Service ${svc.metadata?.namespace}/${svc.metadata?.name}`;
  evidence.push({
    kind: 'spec',
    text: `${name}: internalTrafficPolicy Local; ready pods on ${hosting.length > 0 ? listNames(hosting, 4) : 'no node'}; ${without.length} of ${nodes.length} ready node(s) have none (${listNames(without, 4)})`,
  });
  return `${name} has internalTrafficPolicy: Local, so kube-proxy sends a caller only to a ready pod on the caller's own node, and its ready pods run on ${hosting.length > 0 ? listNames(hosting, 4) : 'no node'}: callers on the other ${without.length} node(s) (${listNames(without, 4)}) have their connections dropped, which they see as timeouts, while every pod of it is healthy. Set internalTrafficPolicy: Cluster, unless node-local traffic is the point (then run a pod of it on every node); Medic proposes nothing.`;
}
