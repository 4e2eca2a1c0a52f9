/**
 * DaemonSet pods running where the DaemonSet would no longer place them (kube-state-metrics'
 * kube_daemonset_status_number_misscheduled, kubernetes-mixin's KubeDaemonSetMisScheduled). The DaemonSet controller
 * deletes a pod whose node stops matching its node selector or affinity, and one whose node gets a NoExecute taint
 * it does not tolerate; a NoSchedule taint evicts nothing, so the pod keeps running on a node it would not be placed
 * on today. That is the lasting case: the node and its taint are the finding.
 */
import type { DaemonSet } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext, ResolvedTarget } from './playbook.js';
import { listNames, podName } from './pods.js';
import { taintWords, untoleratedTaint } from './scheduling.js';

/** The summary when the target is a DaemonSet with misscheduled pods on nodes tainted since; adds the evidence. */
export async function misscheduledFinding(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  const w = target.workload;
  const counted = w?.kind === 'DaemonSet' ? ((w.object as DaemonSet).status?.numberMisscheduled ?? 0) : 0;
  if (!w || counted === 0) return null;
  const nodes = new Map((await ctx.read(ctx.reader.listNodes(), [])).map((n) => [n.metadata?.name, n]));
  const found = target.pods.flatMap((pod) => {
    const node = nodes.get(pod.spec?.nodeName);
    const taint = node ? untoleratedTaint(node, pod) : null;
    return taint?.effect === 'NoSchedule' ? [{ pod, node: pod.spec?.nodeName ?? '?', taint: taintWords(taint) }] : [];
  });
  if (found.length === 0) return null;
  const where = found.map((f) => `${f.node} (pod ${podName(f.pod)}, taint ${f.taint})`);
  evidence.push({
    kind: 'status',
    text: `DaemonSet ${w.name}: ${counted} pod(s) misscheduled; untolerated NoSchedule taints on ${listNames(where, 4)}`,
  });
  const first = found[0];
  return `DaemonSet ${w.namespace}/${w.name} runs ${found.length === 1 ? 'a pod' : `${found.length} pods`} on ${listNames(
    found.map((f) => f.node),
    4,
  )}, whose taint ${first?.taint} its pods do not tolerate: the DaemonSet controller would not place them there today, but a NoSchedule taint evicts nothing, so the running pod stays and counts as misscheduled. If the DaemonSet belongs on that node (a node agent usually does), add a toleration for the taint to its pod template (or tolerate every taint: operator Exists); if not, delete the pod. Nothing else is wrong with it; Medic proposes nothing.`;
}
