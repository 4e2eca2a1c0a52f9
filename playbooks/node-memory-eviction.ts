/**
 * NODE_MEMORY_EVICTION: the kubelet evicted pods because the node ran low on memory (`status.reason: Evicted`,
 * message about memory). An eviction is not an OOM kill: the pod's own limit was not reached.
 */
import { cordonAction, planCordon } from '../src/diagnosis/cordon.js';
import { explainingEvictions, isNodeMemoryEviction, unusualThreshold } from '../src/diagnosis/eviction.js';
import { alertStartMs, type Playbook } from '../src/diagnosis/playbook.js';
import { eventEvidence, listNames, podName } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { formatMemory, parseQuantity } from '../src/quantity.js';
import type { Evidence, ProposedAction } from '../src/types.js';

// The message decides, parsed in one place: an ephemeral-storage eviction of a container named "in-memory-cache"
// is not a memory eviction.
const isMemoryEviction = isNodeMemoryEviction;

export const nodeMemoryEviction: Playbook = {
  name: 'node-memory-eviction',
  rootCauses: ['NODE_MEMORY_EVICTION'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const startMs = alertStartMs(ctx);
    const evicted = explainingEvictions(target.pods.filter(isMemoryEviction), target, startMs);
    if (evicted.length === 0) return null;
    const nodeNames = [...new Set(evicted.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))];
    const evidence: Evidence[] = [];
    const pressured: string[] = [];
    const message = evicted[0]?.status?.message ?? '';
    let threshold: string | null = null;
    for (const name of nodeNames.slice(0, 3)) {
      const node = await ctx.read(ctx.reader.getNode(name), null);
      threshold ??= unusualThreshold(message, node?.status?.capacity?.memory, 'memory');
      const pressure = node?.status?.conditions?.find((c) => c.type === 'MemoryPressure');
      if (pressure?.status === 'True') pressured.push(name);
      evidence.push({
        kind: 'status',
        text: node
          ? `Node ${name}: MemoryPressure=${pressure?.status ?? 'unknown'}${pressure?.reason ? ` (${pressure.reason})` : ''}, allocatable memory ${formatMemory(parseQuantity(node.status?.allocatable?.memory) ?? 0)}`
          : `Node ${name} no longer exists`,
      });
      const onNode = explainingEvictions(
        (await ctx.read(ctx.reader.listPodsOnNode(name), [])).filter(isMemoryEviction),
        target,
        startMs,
      );
      const names = (onNode.length > 0 ? onNode : evicted.filter((p) => p.spec?.nodeName === name)).map(podName);
      evidence.push({
        kind: 'status',
        text: `${names.length} pod(s) evicted from ${name} for memory: ${listNames(names, 8)}`,
      });
      const nodeEvents = await ctx.read(ctx.reader.eventsFor(undefined, 'Node', name), []);
      for (const e of nodeEvents.filter((e) => /Memory|Eviction/i.test(e.reason ?? '')).slice(-3))
        evidence.push(eventEvidence(e));
    }
    const first = evicted[0];
    if (first?.status?.message)
      evidence.push({ kind: 'event', text: `Eviction of ${podName(first)}: ${first.status.message.trim()}` });
    const hog = /Container (\S+) was using ([^\s,]+), request is ([^\s,]+)/.exec(first?.status?.message ?? '');
    const used = hog ? formatMemory(parseQuantity(hog[2]) ?? 0) : '';
    if (hog) {
      evidence.push({
        kind: 'spec',
        text: `${hog[1]} used ${used} against a memory request of ${hog[3]}: the scheduler packs pods by request, so raise its request towards its real usage`,
      });
    }
    const actions: ProposedAction[] = [];
    const candidates = pressured.length > 0 ? pressured : nodeNames;
    const plan = planCordon(candidates, await ctx.read(ctx.reader.listNodes(), []), ctx.settings);
    for (const n of plan.nodes) actions.push(cordonAction(n, 'stop new pods landing on a node under memory pressure'));
    evidence.push(...plan.notes.map((text) => ({ kind: 'spec' as const, text })));
    const summary = `${evicted.length} pod(s) of ${target.description} were evicted by the kubelet because node ${listNames(nodeNames, 3)} ran low on memory (node memory pressure, not the pods' own limits).${threshold ? ` But ${threshold}.` : ''}${hog && !threshold ? ` Container ${hog[1]} used ${used} against a ${hog[3]} request: raise its request so the scheduler stops overpacking the node.` : ''}`;
    return { rootCause: { code: 'NODE_MEMORY_EVICTION', summary, confidence: 'high' }, evidence, actions };
  },
};
