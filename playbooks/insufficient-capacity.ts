/** INSUFFICIENT_CAPACITY: FailedScheduling for insufficient cpu/memory/pods — the cluster has no room for the requests. */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { listNames, podName } from '../src/diagnosis/pods.js';
import { INSUFFICIENT, unscheduledPods } from '../src/diagnosis/scheduling.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Pod } from '../src/kube/reader.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

/** The pod's total requests, as the scheduler sums them (init containers ignored for brevity). */
function requestsOf(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += parseCpuMillis(c.resources?.requests?.cpu) ?? 0;
    memory += parseQuantity(c.resources?.requests?.memory) ?? 0;
  }
  return { cpu, memory };
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
      ...new Set((first.message.match(/Insufficient [a-z0-9./-]+|Too many pods/gi) ?? []).map((s) => s.toLowerCase())),
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
      { kind: 'spec', text: `Each pod requests cpu ${formatCpu(req.cpu)} and memory ${formatMemory(req.memory)}` },
    ];
    const scaleUp = first.events
      .filter((e) => e.reason === 'NotTriggerScaleUp' || e.reason === 'TriggeredScaleUp')
      .at(-1);
    if (scaleUp?.message) evidence.push({ kind: 'event', text: `Cluster autoscaler: ${scaleUp.message}` });
    const nodes = await ctx.read(ctx.reader.listNodes(), []);
    if (nodes.length > 0) {
      const cpu = nodes.reduce((s, n) => s + (parseCpuMillis(n.status?.allocatable?.cpu) ?? 0), 0);
      const mem = nodes.reduce((s, n) => s + (parseQuantity(n.status?.allocatable?.memory) ?? 0), 0);
      evidence.push({
        kind: 'status',
        text: `${nodes.length} node(s) with ${formatCpu(cpu)} cpu and ${formatMemory(mem)} memory allocatable in total`,
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
    const summary = `The scheduler cannot place ${stuck.length} pod(s) (${short.join(', ') || 'insufficient resources'}): each requests cpu ${formatCpu(req.cpu)} and memory ${formatMemory(req.memory)} and no node has that free. Add nodes (or raise the node group's maximum) or lower the requests.`;
    return { rootCause: { code: 'INSUFFICIENT_CAPACITY', summary, confidence: 'high' }, evidence, actions: [] };
  },
};
