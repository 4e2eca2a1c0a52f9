/**
 * NODE_NOT_READY: a node whose Ready condition is False or Unknown, and the pods it strands. Named by node
 * alerts (KubeNodeNotReady, KubeNodeUnreachable) and by pod or workload alerts whose pods sit on a dead node.
 * A zonal outage is more than one node: the other NotReady nodes of the zone are named too.
 */
import { cordonAction, planCordon } from '../src/diagnosis/cordon.js';
import {
  conditionText,
  notReadyCondition,
  otherBadConditions,
  strandedPods,
  strandedText,
  taintsText,
} from '../src/diagnosis/nodes.js';
import type { Playbook, PlaybookContext, PlaybookResult } from '../src/diagnosis/playbook.js';
import { eventEvidence, isoTime, listNames, podName } from '../src/diagnosis/pods.js';
import { CNI_NOT_READY } from '../src/diagnosis/sandbox-failures.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { unknownResult } from '../src/diagnosis/unknown.js';
import { eventCount, eventFirstSeen, type Node, nodeZone } from '../src/kube/reader.js';
import type { Evidence, ProposedAction } from '../src/types.js';

const MAX_NODES = 3;

export const nodeNotReady: Playbook = {
  name: 'node-not-ready',
  rootCauses: ['NODE_NOT_READY', 'UNKNOWN'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const dead = await deadNodes(ctx);
    const node = dead[0];
    if (!node) return readyAgain(ctx);
    const name = node.metadata?.name ?? '?';
    const zone = nodeZone(node);
    const ready = notReadyCondition(node);
    // Slack shows the first six lines: the condition, the zone, the stranded pods, then the details.
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `Node ${name}${zone ? ` (zone ${zone})` : ''}: ${ready ? conditionText(ready) : 'NotReady'}`,
      },
    ];
    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    const zonePeers = zone ? nodes.filter((n) => nodeZone(n) === zone) : [];
    const deadPeers = zonePeers.filter((n) => n.metadata?.name !== name && notReadyCondition(n));
    if (zone && zonePeers.length > 0) {
      const deadNames = [name, ...deadPeers.map((n) => n.metadata?.name ?? '?')];
      evidence.push({
        kind: 'status',
        text: `Zone ${zone}: ${deadNames.length} of ${zonePeers.length} node(s) NotReady (${listNames(deadNames, 6)})`,
      });
    }
    const stranded = strandedPods(await ctx.read(ctx.reader.listPodsOnNode(name), []));
    for (const s of stranded.slice(0, 4))
      evidence.push({ kind: 'status', text: `Stranded on ${name}: ${strandedText(s)}` });
    if (stranded.length > 4)
      evidence.push({ kind: 'status', text: `… and ${stranded.length - 4} more pod(s) on ${name}` });
    if (stranded.length === 0) {
      evidence.push({
        kind: 'status',
        text: `Nothing is stranded on ${name}: its workload pods have already moved (only DaemonSet pods, which belong to the node, remain)`,
      });
    }
    const taints = taintsText(node);
    evidence.push({
      kind: 'spec',
      text: `Taints: ${taints || 'none'}; ${node.spec?.unschedulable ? 'already cordoned' : 'not cordoned (spec.unschedulable is false)'}`,
    });
    const others = otherBadConditions(node);
    if (others.length > 0) {
      evidence.push({
        kind: 'status',
        text: `Other conditions: ${others.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ')}`,
      });
    }
    if (node.spec?.providerID) evidence.push({ kind: 'spec', text: `Machine: ${node.spec.providerID}` });
    for (const e of (await ctx.read(ctx.reader.eventsFor(undefined, 'Node', name), [])).slice(-2)) {
      evidence.push(eventEvidence(e));
    }

    const actions: ProposedAction[] = [];
    const plan = planCordon(dead.map((n) => n.metadata?.name ?? '').filter(Boolean), nodes, ctx.settings);
    for (const n of plan.nodes) actions.push(cordonAction(n, 'keep new pods off it until the cause is known'));
    evidence.push(...plan.notes.map((text) => ({ kind: 'spec' as const, text })));

    return {
      rootCause: {
        code: 'NODE_NOT_READY',
        summary: summarize(
          name,
          zone,
          ready?.reason ?? ready?.status ?? 'NotReady',
          ready?.message,
          stranded,
          deadPeers.length,
        ),
        confidence: 'high',
      },
      evidence,
      actions,
    };
  },
};

/** The alerts that say a node was not Ready: kubernetes-mixin's KubeNodeNotReady, KubeNodeUnreachable, KubeNodeReadinessFlapping. */
const READINESS_ALERT = /^KubeNode(NotReady|Unreachable|ReadinessFlapping)$/;

/**
 * A readiness alert about a node that is Ready now: the spell that fired it is over (the alert resolves at its next
 * evaluation), or the node flaps. UNKNOWN, with the node's Ready condition and its latest events — not "look at the
 * application", which the generic UNKNOWN would say of a node.
 */
async function readyAgain(ctx: PlaybookContext): Promise<PlaybookResult | null> {
  const target = ctx.target;
  const alertname = ctx.event.alert.labels.alertname ?? '';
  if (target?.kind !== 'Node' || !target.node || !READINESS_ALERT.test(alertname)) return null;
  const ready = target.node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return null;
  const name = target.name;
  const evidence: Evidence[] = [{ kind: 'status', text: `Node ${name}: ${conditionText(ready)}` }];
  for (const c of otherBadConditions(target.node)) evidence.push({ kind: 'status', text: conditionText(c) });
  const events = await ctx.read(ctx.reader.eventsFor(undefined, 'Node', name), []);
  const spells = events.filter((e) => e.reason === 'NodeNotReady');
  if (spells.length > 0) {
    const since = spells[0] && eventFirstSeen(spells[0]);
    const count = spells.reduce((n, e) => n + eventCount(e), 0);
    evidence.push({ kind: 'event', text: `${count} NodeNotReady event(s) on ${name} since ${isoTime(since)}` });
  }
  for (const e of events.slice(-4)) evidence.push(eventEvidence(e));
  const flapping = alertname === 'KubeNodeReadinessFlapping';
  return unknownResult(
    `Node ${name} is Ready now (since ${isoTime(ready.lastTransitionTime)}): ${flapping ? 'it keeps changing between Ready and NotReady' : `the NotReady spell behind ${alertname} is over, and the alert resolves at its next evaluation`}. Medic proposes nothing for a Ready node; if it ${flapping ? 'keeps flapping' : 'happens again'}, look at its kubelet and container runtime (journalctl -u kubelet on the node) and its events.`,
    evidence,
  );
}

/** The NotReady nodes behind the alert: the node it names, or the nodes its (unfinished) pods are on. */
async function deadNodes(ctx: PlaybookContext): Promise<Node[]> {
  const target = ctx.target;
  if (!target?.found) return [];
  if (target.kind === 'Node') return target.node && notReadyCondition(target.node) ? [target.node] : [];
  const names = new Set<string>();
  for (const pod of target.pods) {
    const phase = pod.status?.phase;
    if (pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed') names.add(pod.spec.nodeName);
  }
  const dead: Node[] = [];
  for (const n of [...names].slice(0, MAX_NODES)) {
    const node = await ctx.read(ctx.reader.getNode(n), null);
    if (node && notReadyCondition(node)) dead.push(node);
  }
  return dead;
}

function summarize(
  name: string,
  zone: string | undefined,
  reason: string,
  message: string | undefined,
  stranded: ReturnType<typeof strandedPods>,
  deadPeers: number,
): string {
  const blocked = stranded.filter((s) => s.owner?.startsWith('StatefulSet ') && s.pod.metadata?.deletionTimestamp);
  const parts = [`Node ${name}${zone ? ` (zone ${zone})` : ''} is NotReady (${reason}).`];
  parts.push(
    stranded.length === 0
      ? 'Its workload pods have already moved elsewhere; nothing is stranded.'
      : `${stranded.length} pod(s) are stranded on it${blocked.length > 0 ? `; StatefulSet pod(s) ${listNames(blocked.map((s) => podName(s.pod)))} stay Terminating and their replacements wait for them` : ''}.`,
  );
  if (deadPeers > 0) {
    parts.push(`${deadPeers} other node(s) of zone ${zone} are NotReady too: a zonal outage, not one bad machine.`);
  }
  const alive = kubeletSays(message);
  parts.push(
    alive
      ? `${alive}${blocked.length > 0 ? ' Its Terminating pods finish once it is Ready again; the machine is up, so do not delete the Node.' : ''}`
      : blocked.length > 0
        ? 'Check the machine: if it is gone for good, delete the Node (or taint it node.kubernetes.io/out-of-service) so the StatefulSet can recreate its pods elsewhere; do not force-delete them while the machine might still be running.'
        : 'Check the machine (kubelet, network, the VM itself) and replace it if it does not come back.',
  );
  return parts.join(' ');
}

/**
 * What a running kubelet says is wrong in its Ready condition's message (reason KubeletNotReady), as a sentence; null
 * when the kubelet stopped posting (NodeStatusUnknown) or says something else: then the machine is what to check.
 */
function kubeletSays(message: string | undefined): string | null {
  const m = message ?? '';
  if (CNI_NOT_READY.test(m))
    return "The kubelet is running and reports its network plugin not ready: the CNI's DaemonSet pod (Calico, Cilium, flannel, aws-node…) is not running or not ready on the node, so no pod there gets a network. Look at that pod on the node.";
  if (/container runtime is down|ContainerRuntimeNotReady|container runtime status check/i.test(m))
    return 'The kubelet is running but cannot reach the container runtime (containerd or CRI-O is down): restart it on the node and read its log.';
  if (/PLEG is not healthy/i.test(m))
    return 'The kubelet is running but its pod lifecycle checks are stuck (PLEG is not healthy): the container runtime answers too slowly (a hung container, too many containers, a saturated disk). Look at the runtime on the node (crictl ps, its log); restarting the runtime and the kubelet usually recovers it.';
  return null;
}
