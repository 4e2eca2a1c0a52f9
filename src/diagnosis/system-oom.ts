/**
 * A container killed by its node's own OOM killer, not by its limit. The runtime reports OOMKilled either way (cgroup
 * v2 counts every OOM kill of the container's processes), but the kubelet tells the two apart: it records a Warning
 * `SystemOOM` event on the Node ("System OOM encountered, victim process: java, pid: 28761") only for a kill whose
 * OOM cgroup is the root, that is when the whole node ran out of memory (its OOM watcher, from cadvisor's parse of
 * the kernel's oom_memcg; kubelets before 1.21 could not tell and recorded it for container kills too). A raise of
 * the container's limit does not help then: the node needs its memory back.
 */
import { eventTime, type Node, type Pod } from '../kube/reader.js';
import type { PlaybookContext } from './playbook.js';
import { isoTime } from './pods.js';

/** How far apart the kubelet's SystemOOM event and the container's end may be and still be the same kill. */
const SAME_KILL_MS = 2 * 60_000;
/** The first kubelet whose SystemOOM means a whole-node OOM only. */
const RELIABLE_FROM = [1, 21];

export interface SystemOom {
  node: string;
  at: string;
  message: string;
}

/** The kubelet's SystemOOM event on the node of one of `kills`, at that kill's time; null when there is none. */
export async function systemOomOf(
  ctx: PlaybookContext,
  kills: { view: { pod: Pod }; finishedAt: Date | undefined }[],
): Promise<SystemOom | null> {
  const nodes = new Map<string, number[]>();
  for (const k of kills) {
    const node = k.view.pod.spec?.nodeName;
    const at = k.finishedAt?.getTime();
    if (node && at) nodes.set(node, [...(nodes.get(node) ?? []), at]);
  }
  for (const [name, times] of [...nodes].slice(0, 3)) {
    const node = await ctx.read(ctx.reader.getNode(name), null);
    if (node && !reliableKubelet(node)) continue;
    const events = await ctx.read(ctx.reader.eventsFor(undefined, 'Node', name), []);
    const oom = events.find(
      (e) => e.reason === 'SystemOOM' && times.some((t) => Math.abs(eventTime(e) - t) <= SAME_KILL_MS),
    );
    if (oom) return { node: name, at: isoTime(new Date(eventTime(oom))), message: (oom.message ?? 'SystemOOM').trim() };
  }
  return null;
}

/** Unknown versions count as reliable: kubelets older than 1.21 are long out of support. */
function reliableKubelet(node: Node): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(node.status?.nodeInfo?.kubeletVersion ?? '');
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > (RELIABLE_FROM[0] ?? 1) || (major === RELIABLE_FROM[0] && minor >= (RELIABLE_FROM[1] ?? 0));
}

/** Why no raise: the advice (an evidence line) and the headline (for the summary). */
export function systemOomWords(oom: SystemOom, container: string, limit: string): { advice: string; headline: string } {
  return {
    advice: `Node ${oom.node} itself ran out of memory: the kubelet recorded SystemOOM there at ${oom.at} ("${oom.message}"), which it does only when the kernel's OOM killer acts for the whole node, not for a container's limit. ${container} was a victim with its limit of ${limit} not reached, so raising the limit would not help; it would let the node overcommit further. Find what filled the node (pods using far more than they request, a pod without a limit), set memory requests to what pods really use so the scheduler stops overcommitting it, and reserve memory for the system (the kubelet's system-reserved and eviction thresholds) so the kubelet evicts before the kernel kills.`,
    headline: `The kubelet recorded SystemOOM on ${oom.node} at ${oom.at}: raising the limit would not help; find what filled the node.`,
  };
}
