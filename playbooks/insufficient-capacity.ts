/** INSUFFICIENT_CAPACITY: FailedScheduling for insufficient cpu/memory/pods — the cluster has no room for the requests. */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { listNames, podName } from '../src/diagnosis/pods.js';
import { INSUFFICIENT, nodeBlocker, unscheduledPods } from '../src/diagnosis/scheduling.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Pod } from '../src/kube/reader.js';
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

export const insufficientCapacity: Playbook = {
  name: 'insufficient-capacity',
  rootCauses: ['INSUFFICIENT_CAPACITY'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
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
    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    if (nodes.length > 0) {
      // Only nodes the pod may use count: cordoned, NotReady or tainted nodes are not capacity for it.
      const usable = nodes.filter((n) => nodeBlocker(n, first.pod) === null);
      const cpu = usable.reduce((s, n) => s + (parseCpuMillis(n.status?.allocatable?.cpu) ?? 0), 0);
      const mem = usable.reduce((s, n) => s + (parseQuantity(n.status?.allocatable?.memory) ?? 0), 0);
      const largest = Math.max(0, ...usable.map((n) => parseQuantity(n.status?.allocatable?.memory) ?? 0));
      evidence.push({
        kind: 'status',
        text: `${usable.length} of ${nodes.length} node(s) can take the pod (not cordoned, ready, no untolerated taint): ${formatCpu(cpu)} cpu and ${formatMemory(mem)} memory allocatable in total, the largest ${formatMemory(largest)}`,
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
    const who =
      stuck.length === 1 ? `Pod ${podName(first.pod)} cannot be scheduled` : `${stuck.length} pods cannot be scheduled`;
    const summary = `${who} (${short.join(', ') || 'insufficient resources'}): ${stuck.length === 1 ? 'it' : 'each'} requests ${req.text} and no node has that free. Add nodes (or raise the node group's maximum) or lower the requests.`;
    return { rootCause: { code: 'INSUFFICIENT_CAPACITY', summary, confidence: 'high' }, evidence, actions: [] };
  },
};
