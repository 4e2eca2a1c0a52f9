/**
 * Pods the scheduler keeps off nodes for a taint a cluster component puts on them, and takes off again once its
 * condition clears: tolerating such a taint in the workload is never the fix, what sets it is. Keys are the
 * components' own (Kubernetes' well-known taints, the cloud controller manager's, Cilium's, the cluster autoscaler's,
 * Karpenter's); the scheduler's text is "3 node(s) had untolerated taint {key: value}" (before 1.25: "had taint
 * {key: value}, that the pod didn't tolerate").
 */
import type { Node, Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { clusterRoom } from './capacity.js';
import { alertStartMs, type PlaybookContext, type ResolvedTarget } from './playbook.js';
import { listNames, podName, schedulingMessage } from './pods.js';

/** What each taint means and what to look at, by key. */
const SYSTEM_TAINTS: Readonly<Record<string, string>> = {
  'node.cloudprovider.kubernetes.io/uninitialized':
    'a kubelet run with --cloud-provider=external puts it on every new node, and the cloud controller manager removes it once it has initialized the node (its addresses, zone labels and provider ID); nodes that keep it mean the cloud controller manager is not running, or cannot reach the cloud API or find the instance. Look at its pods and logs (usually kube-system)',
  'node.kubernetes.io/network-unavailable':
    "the node's NetworkUnavailable condition is True: its pod network is not set up yet (the CNI plugin's agent on the node, or the cloud route controller that creates its routes)",
  'node.kubernetes.io/not-ready': "the node controller's taint for a node whose kubelet reports NotReady",
  'node.kubernetes.io/unreachable': "the node controller's taint for a node whose kubelet stopped reporting",
  'node.kubernetes.io/memory-pressure':
    'the node reports MemoryPressure: the kubelet is short of memory and evicting pods',
  'node.kubernetes.io/disk-pressure': 'the node reports DiskPressure: its root or image filesystem is nearly full',
  'node.kubernetes.io/pid-pressure': 'the node reports PIDPressure: it is running out of process IDs',
  'node.kubernetes.io/unschedulable': 'the node is cordoned (kubectl cordon or a drain)',
  'node.kubernetes.io/out-of-service':
    'someone marked the node out of service (a non-graceful node shutdown): its pods are being moved off',
  'node.cloudprovider.kubernetes.io/shutdown': 'the cloud provider reports the instance shut down',
  'node.cilium.io/agent-not-ready':
    'Cilium puts it on nodes whose cilium-agent is not ready, and the agent removes it once it runs: look at the cilium pod on those nodes',
  ToBeDeletedByClusterAutoscaler: 'the cluster autoscaler is removing the node (scale-down)',
  'karpenter.sh/disrupted': 'Karpenter is draining the node to remove or replace it',
  'karpenter.sh/disruption': 'Karpenter is draining the node to remove or replace it',
};

/** Taints every new node starts with until a component clears them: nodes added for room get them too. */
const NEW_NODE_TAINTS = new Set([
  'node.cloudprovider.kubernetes.io/uninitialized',
  'node.kubernetes.io/network-unavailable',
  'node.cilium.io/agent-not-ready',
]);

const REFUSED_TAINT = /(\d+) node\(s\) had (?:untolerated )?taints? \{([^:}]+)(?::\s*([^}]*))?\}/g;

/** The system taints the scheduler says keep a pod off nodes: key, value and how many nodes. */
export function systemTaintRefusals(message: string): { key: string; value: string; nodes: number }[] {
  return [...message.matchAll(REFUSED_TAINT)]
    .filter((m) => SYSTEM_TAINTS[m[2] ?? ''] !== undefined)
    .map((m) => ({ key: m[2] ?? '', value: (m[3] ?? '').trim(), nodes: Number(m[1]) }));
}

const carrying = (nodes: Node[], key: string) => nodes.filter((n) => (n.spec?.taints ?? []).some((t) => t.key === key));

/** How long before `now` the oldest of `nodes` was created: "1 h 35 min". */
function ageOf(nodes: Node[], now: number): string | null {
  const times = nodes.map((n) => Date.parse(n.metadata?.creationTimestamp ?? '')).filter(Number.isFinite);
  if (times.length === 0) return null;
  const minutes = Math.round((now - Math.min(...times)) / 60_000);
  if (minutes < 1) return null;
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

/** One refusal in words: the nodes carrying the taint, since when, and what sets it; and its evidence line. */
function describeRefusal(
  refusal: ReturnType<typeof systemTaintRefusals>[number],
  nodes: Node[],
  now: number,
): { words: string; evidence: Evidence } {
  const { key, value, nodes: count } = refusal;
  const tainted = carrying(nodes, key);
  const age = ageOf(tainted, now);
  const names =
    tainted.length > 0
      ? ` (${listNames(
          tainted.map((n) => n.metadata?.name ?? '?'),
          5,
        )}${age ? `; the oldest joined ${age} before the alert` : ''})`
      : '';
  return {
    words: `${count} node(s) carry ${key}${names}: ${SYSTEM_TAINTS[key]}.`,
    evidence: { kind: 'status', text: `${count} node(s) carry taint ${key}${value ? `=${value}` : ''}${names}` },
  };
}

/**
 * UNKNOWN's finding for pods held off nodes by system taints: which taint, on which nodes, since when, and what sets
 * it. Medic proposes nothing: what clears the taint is a component of the cluster, not the workload.
 */
export async function systemTaintFinding(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const stuck: { pod: Pod; refusals: ReturnType<typeof systemTaintRefusals> }[] = target.pods
    .filter((p) => !p.spec?.nodeName)
    .map((pod) => ({ pod, refusals: systemTaintRefusals(schedulingMessage(pod, []) ?? '') }))
    .filter((s) => s.refusals.length > 0);
  const first = stuck[0];
  if (!first) return null;
  const nodes = await ctx.read(ctx.reader.listNodes(), []);
  const described = first.refusals.map((r) => describeRefusal(r, nodes, alertStartMs(ctx)));
  evidence.push(...described.map((d) => d.evidence));
  return `${stuck.length} pod(s) cannot be scheduled (${listNames(
    stuck.map((s) => podName(s.pod)),
    3,
  )}): the nodes carry a taint a cluster component sets and removes, not one the workload should tolerate. ${described.map((d) => d.words).join(' ')} Medic proposes nothing: fix what keeps the taint on the nodes.`;
}

/**
 * For a pod refused for lack of room: the nodes a new node's taint still holds (their network agent or cloud
 * initialization never finished) that would have room for it once the taint is gone. Then adding nodes does not
 * help, since new nodes start with the same taint. Words and evidence, or null when no such node would fit it.
 */
export async function roomBehindSystemTaints(
  ctx: PlaybookContext,
  pod: Pod,
  message: string,
  nodes: Node[],
): Promise<{ words: string; evidence: Evidence[] } | null> {
  const refusals = systemTaintRefusals(message).filter((r) => NEW_NODE_TAINTS.has(r.key));
  if (refusals.length === 0) return null;
  const keys = refusals.map((r) => r.key);
  const tainted = nodes.filter((n) => (n.spec?.taints ?? []).some((t) => keys.includes(t.key)));
  const tolerating: Pod = {
    ...pod,
    spec: {
      containers: [],
      ...pod.spec,
      tolerations: [...(pod.spec?.tolerations ?? []), ...keys.map((key) => ({ key, operator: 'Exists' }))],
    },
  };
  const room = clusterRoom(tainted, await ctx.read(ctx.reader.listActivePods(), []), tolerating);
  if (room.fits === 0) return null;
  const described = refusals.map((r) => describeRefusal(r, nodes, alertStartMs(ctx)));
  return {
    words: `${described.map((d) => d.words).join(' ')} Those nodes would have room for ${room.fits} such pod(s) without the taint.`,
    evidence: described.map((d) => d.evidence),
  };
}
