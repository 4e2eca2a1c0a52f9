/**
 * INSUFFICIENT_CAPACITY: FailedScheduling for insufficient cpu/memory/pods — the cluster has no room for the requests.
 * Two shapes change the advice: a pod that may run on one node only (a DaemonSet's pod, pinned by its required node
 * affinity on metadata.name), for which more nodes are no help; and nodes out of pod slots ("Too many pods": their
 * allocatable pods, the kubelet's maxPods), which no amount of free CPU or memory fixes. And pods the scheduler
 * never placed: a template that sets spec.nodeName sends its pods straight to that node's kubelet, which rejects
 * them at admission when the node has no room (OutOfcpu, OutOfmemory: src/diagnosis/rejections.ts) while the
 * controller keeps creating more.
 */
import {
  clusterRoom,
  formatRequests,
  MAX_PODS_ADVICE,
  podRequests,
  selectorBlocker,
} from '../src/diagnosis/capacity.js';
import { deviceNotAdvertised, KARPENTER_REFUSAL, karpenterAdvice } from '../src/diagnosis/node-supply.js';
import { oversizedPods } from '../src/diagnosis/oversized.js';
import type { Playbook, PlaybookContext, PlaybookResult, ResolvedTarget } from '../src/diagnosis/playbook.js';
import { isoTime, listNames, podName } from '../src/diagnosis/pods.js';
import { kubeletRejection, type Rejection, templateNodeName } from '../src/diagnosis/rejections.js';
import { INSUFFICIENT, nodeBlocker, preemptionsOf, unscheduledPods } from '../src/diagnosis/scheduling.js';
import { roomBehindSystemTaints } from '../src/diagnosis/system-taints.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Node, Pod } from '../src/kube/reader.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

/**
 * The pod's total requests, as the scheduler sums them (init containers ignored for brevity), and per container;
 * extended resources (nvidia.com/gpu, hugepages) are named too, since the scheduler may be short of those alone.
 */
function requestsOf(pod: Pod): { cpu: number; memory: number; text: string } {
  let cpu = 0;
  let memory = 0;
  const parts: string[] = [];
  const extended = new Map<string, number>();
  for (const c of pod.spec?.containers ?? []) {
    const cCpu = parseCpuMillis(c.resources?.requests?.cpu) ?? 0;
    const cMem = parseQuantity(c.resources?.requests?.memory) ?? 0;
    cpu += cCpu;
    memory += cMem;
    parts.push(`${c.name} cpu ${formatCpu(cCpu)} memory ${formatMemory(cMem)}`);
    for (const [name, value] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory')
        extended.set(name, (extended.get(name) ?? 0) + (parseQuantity(String(value)) ?? 0));
    }
  }
  const others = [...extended].map(([name, n]) => `, ${name} ${name.startsWith('hugepages') ? formatMemory(n) : n}`);
  const total = `cpu ${formatCpu(cpu)} and memory ${formatMemory(memory)}${others.join('')}`;
  return { cpu, memory, text: parts.length > 1 ? `${total} (${parts.join(', ')})` : total };
}

/** The one node a pod may run on, when its required node affinity names exactly one (how DaemonSet pods are placed). */
function pinnedNode(pod: Pod): string | null {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length !== 1) return null;
  const field = terms[0]?.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
  return field?.values?.length === 1 ? (field.values[0] ?? null) : null;
}

/**
 * The room left on the one node a pod may use, and the pods there that take the most of the resource it is short of
 * (`byMemory`): the node's evidence is added; `room` and `top` are the summary's words ('' without the node).
 */
async function nodeRoom(
  ctx: PlaybookContext,
  pod: Pod,
  node: Node | undefined,
  name: string,
  byMemory: boolean,
  evidence: Evidence[],
): Promise<{ room: string; top: string }> {
  if (!node) return { room: '', top: '' };
  const active = await ctx.read(ctx.reader.listActivePods(), []);
  const [here] = clusterRoom([node], active, pod).nodes;
  const bound = active
    .filter((p) => p.spec?.nodeName === name)
    .map((p) => ({ name: `${p.metadata?.namespace}/${p.metadata?.name}`, r: podRequests(p.spec) }))
    .sort((a, b) => (byMemory ? b.r.memory - a.r.memory : b.r.cpu - a.r.cpu))
    .slice(0, 3);
  const top = bound.map((b) => `${b.name} (${formatRequests(b.r)})`).join(', ');
  evidence.push({
    kind: 'status',
    text: `Node ${name}${here ? `: ${formatRequests(here.free)} free, ${here.free.pods} pod slot(s)` : ''}; the largest requests there: ${top || 'none'}`,
  });
  return { room: here ? `; the node has ${formatRequests(here.free)} left of its allocatable` : '', top };
}

/**
 * A pod that may run on one node only and finds no room there: the node's free requests, the pods that take the
 * most of the resource it is short of, and why adding nodes does not help. Adds the evidence; returns the summary.
 */
async function pinnedSummary(
  ctx: PlaybookContext,
  pod: Pod,
  node: Node | undefined,
  name: string,
  short: string[],
  evidence: Evidence[],
): Promise<string> {
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  const whose = owner ? `${owner.kind} ${owner.name}` : 'its owner';
  const req = requestsOf(pod);
  const byMemory = short.some((s) => s.includes('memory'));
  const { room, top } = await nodeRoom(ctx, pod, node, name, byMemory, evidence);
  return `Pod ${podName(pod)} of ${whose} can run only on node ${name}${owner?.kind === 'DaemonSet' ? ' (a DaemonSet pod belongs to its node)' : ''}, and that node has no room for it (${short.join(', ') || 'insufficient resources'}): it requests ${req.text}${room}${top ? `, most of it taken by ${top}` : ''}. Adding nodes does not help this pod: free room on ${name} (move or shrink the pods there), give ${whose} a PriorityClass high enough to preempt them (node agents usually run as system-node-critical), or lower its requests.`;
}

/**
 * Pods the kubelet rejected for room (OutOfcpu, OutOfmemory, …) on the node their workload's template names in
 * spec.nodeName: the scheduler never placed them, so no FailedScheduling says so; the controller replaces each
 * with another pod pinned there, rejected the same way. The diagnosis, or null when no such pod is among `pods`.
 */
async function pinnedRejections(ctx: PlaybookContext, target: ResolvedTarget): Promise<PlaybookResult | null> {
  const name = templateNodeName(target.workload);
  const rejected = target.pods
    .map(kubeletRejection)
    .filter((r): r is Rejection => r?.resource != null && r.node === name);
  const first = rejected[0];
  if (!name || !first || !target.workload) return null;
  const whose = `${target.workload.kind} ${target.workload.name}`;
  const req = requestsOf(first.pod);
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: `${rejected.length} pod(s) Failed, rejected by the kubelet on ${name} at admission: ${listNames(
        rejected.map((r) => podName(r.pod)),
        5,
      )}; ${first.reason}: ${first.message}`,
    },
    { kind: 'spec', text: `${whose}'s pod template sets spec.nodeName: ${name}; each pod requests ${req.text}` },
  ];
  const nodes = await ctx.read(ctx.reader.listNodes(), []);
  const node = nodes.find((n) => n.metadata?.name === name);
  const { room, top } = await nodeRoom(ctx, first.pod, node, name, first.resource === 'memory', evidence);
  const summary = `${whose}'s pod template sets spec.nodeName ${name}, so its pods go straight to that node's kubelet, past the scheduler, and ${name} has no room for them: the kubelet rejected ${rejected.length === 1 ? `pod ${podName(first.pod)}` : `${rejected.length} pods`} at admission (${first.reason}: ${first.message}), and the controller replaces each with another pinned there. Each requests ${req.text}${room}${top ? `, most of it taken by ${top}` : ''}. Adding nodes does not help: replace spec.nodeName with a nodeSelector (kubernetes.io/hostname: ${name}) so the scheduler keeps new pods Pending until there is room, free room on ${name}, or lower the requests; then delete the Failed pods.`;
  return { rootCause: { code: 'INSUFFICIENT_CAPACITY', summary, confidence: 'high' }, evidence, actions: [] };
}

/**
 * When pods of the workload were preempted for a pod of higher priority, that pod holds the room the pending ones
 * need, and a pending pod of no higher priority cannot take it back (a PriorityClass with globalDefault gives every
 * pod created without one the same value). Adds the evidence; returns the sentence for the summary, or ''.
 */
async function preemptedBy(ctx: PlaybookContext, pods: Pod[], pending: Pod, evidence: Evidence[]): Promise<string> {
  const found = await preemptionsOf(ctx, pods);
  if (!found) return '';
  evidence.push({
    kind: 'event',
    text: `Preempted (scheduler) at ${isoTime(found.at)}: ${listNames(found.victims, 3)} — ${found.message}${found.by ? ` (pod ${found.by.namespace}/${found.by.name})` : ''}`,
  });
  const by = found.by ? await ctx.read(ctx.reader.getPod(found.by.namespace, found.by.name), null) : null;
  const theirs = by?.spec?.priority ?? null;
  const mine = pending.spec?.priority ?? 0;
  const theirClass = by?.spec?.priorityClassName;
  const who = found.by ? `pod ${found.by.namespace}/${found.by.name}` : 'a pod of higher priority';
  const priority = theirs !== null ? ` (priority ${theirs}${theirClass ? `, PriorityClass ${theirClass}` : ''})` : '';
  const back =
    theirs !== null && mine <= theirs
      ? ` The pending pods have priority ${mine}${pending.spec?.priorityClassName ? ` (PriorityClass ${pending.spec.priorityClassName})` : ''}, not higher, so they cannot preempt it back: give this workload a PriorityClass above ${theirs}, or lower ${theirClass ?? "the other pod's"} (if it is a globalDefault class, every pod created without a PriorityClass gets its value).`
      : '';
  return ` Earlier, ${found.victims.length} pod(s) of this workload were preempted by ${who}${priority}, which holds room they need.${back}`;
}

export const insufficientCapacity: Playbook = {
  name: 'insufficient-capacity',
  rootCauses: ['INSUFFICIENT_CAPACITY'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const rejected = await pinnedRejections(ctx, target);
    if (rejected) return rejected;
    const stuck = await unscheduledPods(ctx, target.pods, INSUFFICIENT);
    const first = stuck[0];
    if (!first) return null;
    const req = requestsOf(first.pod);
    const short = [
      ...new Set((first.message.match(new RegExp(INSUFFICIENT.source, 'gi')) ?? []).map((s) => s.toLowerCase())),
    ];
    const evidence: Evidence[] = [
      {
        kind: 'status',
        text: `${stuck.length} pod(s) Pending, unschedulable: ${listNames(
          stuck.map((s) => podName(s.pod)),
          5,
        )}`,
      },
      { kind: 'event', text: `FailedScheduling: ${first.message}` },
      { kind: 'spec', text: `Each pod requests ${req.text}` },
    ];
    const scaleUp = first.events
      .filter((e) => e.reason === 'NotTriggerScaleUp' || e.reason === 'TriggeredScaleUp')
      .at(-1);
    if (scaleUp?.message) evidence.push({ kind: 'event', text: `Cluster autoscaler: ${scaleUp.message}` });
    // Karpenter reports why it launches no node for the pod as its own FailedScheduling event.
    const karpenter = first.events
      .filter((e) => e.source?.component === 'karpenter' || KARPENTER_REFUSAL.test(e.message ?? ''))
      .at(-1)?.message;
    if (karpenter) evidence.push({ kind: 'event', text: `Karpenter: ${karpenter.trim()}` });
    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    const pinned = pinnedNode(first.pod);
    if (pinned) {
      const node = nodes.find((n) => n.metadata?.name === pinned);
      const summary = await pinnedSummary(ctx, first.pod, node, pinned, short, evidence);
      return { rootCause: { code: 'INSUFFICIENT_CAPACITY', summary, confidence: 'high' }, evidence, actions: [] };
    }
    // Only nodes the pod may use count: cordoned, NotReady, tainted or unselected nodes are not capacity for it.
    const usable = nodes.filter(
      (n) => nodeBlocker(n, first.pod) === null && selectorBlocker(n, first.pod.spec) === null,
    );
    const who =
      stuck.length === 1 ? `Pod ${podName(first.pod)} cannot be scheduled` : `${stuck.length} pods cannot be scheduled`;
    const unregistered = deviceNotAdvertised(usable, short);
    if (unregistered) {
      evidence.push({ kind: 'status', text: unregistered.evidence });
      return {
        rootCause: {
          code: 'INSUFFICIENT_CAPACITY',
          summary: `${who} (${short.join(', ')}): ${stuck.length === 1 ? 'it requests' : 'each requests'} ${req.text}, and ${unregistered.words}. Adding nodes does not help until the device plugin runs on them: look at its DaemonSet's pod on ${unregistered.nodes} (and the driver it needs).`,
          confidence: 'high',
        },
        evidence,
        actions: [],
      };
    }
    const oversized = await oversizedPods(
      ctx,
      target.workload,
      stuck.map((s) => s.pod),
      usable,
    );
    if (oversized) {
      evidence.push(...oversized.evidence);
      return {
        rootCause: {
          code: 'INSUFFICIENT_CAPACITY',
          summary: `${who} (${short.join(', ')}): ${stuck.length === 1 ? 'it requests' : 'each requests'} ${oversized.words}`,
          confidence: 'high',
        },
        evidence,
        actions: oversized.action ? [oversized.action] : [],
      };
    }
    const heldRoom = await roomBehindSystemTaints(ctx, first.pod, first.message, nodes);
    if (heldRoom) {
      evidence.push(...heldRoom.evidence);
      return {
        rootCause: {
          code: 'INSUFFICIENT_CAPACITY',
          summary: `${who} (${short.join(', ')}): ${stuck.length === 1 ? 'it requests' : 'each requests'} ${req.text}, which the nodes ${stuck.length === 1 ? 'it' : 'they'} may use lack, while nodes with room are held by a taint a cluster component sets and removes. ${heldRoom.words} Adding nodes does not help while new nodes keep that taint: fix what keeps it on them.`,
          confidence: 'high',
        },
        evidence,
        actions: [],
      };
    }
    if (nodes.length > 0) {
      const cpu = usable.reduce((s, n) => s + (parseCpuMillis(n.status?.allocatable?.cpu) ?? 0), 0);
      const mem = usable.reduce((s, n) => s + (parseQuantity(n.status?.allocatable?.memory) ?? 0), 0);
      const largest = Math.max(0, ...usable.map((n) => parseQuantity(n.status?.allocatable?.memory) ?? 0));
      evidence.push({
        kind: 'status',
        text: `${usable.length} of ${nodes.length} node(s) can take the pod (not cordoned, ready, no untolerated taint, matching its nodeSelector): ${formatCpu(cpu)} cpu and ${formatMemory(mem)} memory allocatable in total, the largest ${formatMemory(largest)}`,
      });
    }
    const w = target.workload;
    if (w) {
      const hpa = await ctx.read(ctx.reader.hpaFor(w.namespace, w.kind, w.name), null);
      if (hpa) {
        evidence.push({
          kind: 'spec',
          text: `HPA ${hpa.metadata?.name} wants ${hpa.status?.desiredReplicas ?? '?'} replicas (min ${hpa.spec?.minReplicas ?? 1}, max ${hpa.spec?.maxReplicas})`,
        });
      }
    }
    const podSlots = short.length > 0 && short.every((x) => x === 'too many pods');
    const maxPods = [...new Set(usable.map((n) => n.status?.allocatable?.pods ?? '110'))].join(' or ');
    if (podSlots && usable.length > 0) {
      const room = clusterRoom(usable, await ctx.read(ctx.reader.listActivePods(), []), first.pod);
      // clusterRoom keeps the nodes' order: room.nodes[i] is usable[i].
      const slots = room.nodes.map((r, i) => {
        const max = usable[i]?.status?.allocatable?.pods ?? '110';
        return `${r.name} ${Number(max) - r.free.pods} of ${max}`;
      });
      evidence.push({ kind: 'status', text: `Pods per node (of allocatable pods): ${listNames(slots, 6)}` });
    }
    // A preemption is read only for the resource shortage: pod slots are not what a preemptor takes.
    const preempted = podSlots ? '' : await preemptedBy(ctx, target.pods, first.pod, evidence);
    const summary = podSlots
      ? `${who} (Too many pods): the nodes ${stuck.length === 1 ? 'it' : 'they'} may use already run as many pods as they allow (allocatable pods ${maxPods}), whatever CPU and memory they have left. Add nodes (or raise the node group's maximum), or ${MAX_PODS_ADVICE}.`
      : `${who} (${short.join(', ') || 'insufficient resources'}): ${stuck.length === 1 ? 'it' : 'each'} requests ${req.text} and no node has that free.${preempted} ${karpenter ? karpenterAdvice(karpenter) : "Add nodes (or raise the node group's maximum) or lower the requests."}`;
    return { rootCause: { code: 'INSUFFICIENT_CAPACITY', summary, confidence: 'high' }, evidence, actions: [] };
  },
};
