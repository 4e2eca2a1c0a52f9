/**
 * A pod that asks for more CPU or memory than any node it may use has allocatable: no node of the cluster, empty or
 * new, can ever place it, so "add nodes" does not help unless they are bigger. When its workload's newest revision
 * raised the requests that far, going back is the fix (rollout.ts decides whether the revision is the cause).
 */
import type { Node, Pod, Workload } from '../kube/reader.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity } from '../quantity.js';
import type { Evidence, ProposedAction } from '../types.js';
import { formatRequests, podRequests } from './capacity.js';
import type { PlaybookContext } from './playbook.js';
import { type NotBroughtBy, rollbackIfNewRevision } from './rollout.js';

/** What the pod requests beyond the largest node's allocatable, in words; null when some node could hold it. */
export function largerThanAnyNode(nodes: Node[], pod: Pod): { words: string } | null {
  if (nodes.length === 0) return null;
  const want = podRequests(pod.spec);
  const cpu = Math.max(...nodes.map((n) => parseCpuMillis(n.status?.allocatable?.cpu) ?? 0));
  const memory = Math.max(...nodes.map((n) => parseQuantity(n.status?.allocatable?.memory) ?? 0));
  const over = [
    ...(want.cpu > cpu ? [`cpu ${formatCpu(want.cpu)} (the largest node has ${formatCpu(cpu)} allocatable)`] : []),
    ...(want.memory > memory
      ? [`memory ${formatMemory(want.memory)} (the largest node has ${formatMemory(memory)} allocatable)`]
      : []),
  ];
  if (over.length === 0) return null;
  return { words: over.join(' and ') };
}

/** A revision did not bring an oversized pod when the previous revision requests as much (rollout.ts NotBroughtBy). */
const sameRequests: NotBroughtBy = (previous, newest) => {
  const [before, after] = [podRequests(previous), podRequests(newest)];
  if (after.cpu > before.cpu || after.memory > before.memory) return null;
  return `the previous revision requests as much (${formatRequests(before)})`;
};

/**
 * For pods larger than any node they may use (`usable`): the rest of the summary after "it requests", the evidence
 * and the rollback when the workload's newest revision raised the requests that far. Null when a node could hold them.
 */
export async function oversizedPods(
  ctx: PlaybookContext,
  workload: Workload | null,
  pods: Pod[],
  usable: Node[],
): Promise<{ words: string; evidence: Evidence[]; action: ProposedAction | null } | null> {
  const first = pods[0];
  const over = first ? largerThanAnyNode(usable, first) : null;
  if (!over) return null;
  const rollback = await rollbackIfNewRevision(ctx, workload, pods, sameRequests);
  const next = rollback.action
    ? ` The newest revision raised the requests that far: roll back to ${rollback.previous}.`
    : ' Lower the requests, or run it on a node group with bigger nodes.';
  return {
    words: `${over.words}: no node it may use can ever place it, empty or new, so adding nodes of these sizes does not help.${next}`,
    evidence: rollback.evidence,
    action: rollback.action,
  };
}
