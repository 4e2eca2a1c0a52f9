/**
 * EPHEMERAL_STORAGE_EVICTION: the kubelet evicted pods for disk — either the node ran low on ephemeral storage or
 * inodes (DiskPressure), or a pod went past its own `ephemeral-storage` limit (a container's, the pod's summed
 * limits, or an emptyDir sizeLimit). Which of the two decides the fix: the node's disk (cordon, clean up, find the
 * hog) or the workload's own limit and what it writes. Memory evictions are NODE_MEMORY_EVICTION, which runs first.
 */
import { cordonAction, planCordon } from '../src/diagnosis/cordon.js';
import {
  classifyEviction,
  type EvictionKind,
  evictionTime,
  explainingEvictions,
  isStorageEviction,
  unusualThreshold,
} from '../src/diagnosis/eviction.js';
import { logEvidence } from '../src/diagnosis/logs.js';
import { alertStartMs, type Playbook, type PlaybookContext } from '../src/diagnosis/playbook.js';
import { containersOf, eventEvidence, isoTime, listNames, podName } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Pod } from '../src/kube/reader.js';
import { formatMemory, parseQuantity } from '../src/quantity.js';
import type { Evidence, ProposedAction } from '../src/types.js';

export const ephemeralStorageEviction: Playbook = {
  name: 'ephemeral-storage-eviction',
  rootCauses: ['EPHEMERAL_STORAGE_EVICTION'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    if (!target?.found) return null;
    const startMs = alertStartMs(ctx);
    const evicted = explainingEvictions(target.pods.filter(isStorageEviction), target, startMs);
    const first = evicted[0];
    const kind = first ? classifyEviction(first) : null;
    if (!first || !kind) return null;
    // The workload's other evicted pods: one alert per pod, but one story.
    const siblings = target.workload ? await ctx.read(ctx.reader.podsOf(target.workload), []) : [];
    const all = uniqueByName([...evicted, ...explainingEvictions(siblings.filter(isStorageEviction), target, startMs)]);
    const evidence: Evidence[] = [
      { kind: 'event', text: `Eviction of ${podName(first)}: ${first.status?.message?.trim() ?? ''}` },
      {
        kind: 'status',
        text: `${all.length} pod(s) of ${target.workload ? `${target.workload.kind} ${target.workload.name}` : target.description} evicted for ephemeral storage: ${listNames(all.map(evictedAt), 6)}`,
      },
    ];
    if (kind.scope === 'node') return nodePressure(ctx, all, kind, evidence);
    return ownLimit(ctx, first, kind, all, siblings, evidence);
  },
};

/** The pod outgrew its own ephemeral-storage limit: nothing is wrong with the node, cordoning would be wrong. */
async function ownLimit(
  ctx: PlaybookContext,
  first: Pod,
  kind: Exclude<EvictionKind, { scope: 'node' }>,
  all: Pod[],
  siblings: Pod[],
  evidence: Evidence[],
) {
  const containers = first.spec?.containers ?? [];
  const focus = kind.scope === 'container-limit' ? containers.find((c) => c.name === kind.container) : containers[0];
  const name = focus?.name ?? '?';
  const limit = focus?.resources?.limits?.['ephemeral-storage'];
  const request = focus?.resources?.requests?.['ephemeral-storage'];
  const what =
    kind.scope === 'container-limit'
      ? `container ${kind.container} went past its own ephemeral-storage limit of ${kind.limit}`
      : kind.scope === 'pod-limit'
        ? `the pod's ephemeral storage went past the sum of its containers' limits, ${kind.limit}`
        : `emptyDir volume ${kind.volume} went past its sizeLimit of ${kind.limit}`;
  evidence.push({
    kind: 'spec',
    text: `${name}: ephemeral-storage limit ${limit ?? 'none'}, request ${request ?? 'none'}; ${writablePaths(first, name)}`,
  });
  const running = siblings.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
  const view = running ? containersOf(running).find((v) => v.status.name === name) : undefined;
  if (view) evidence.push(...(await logEvidence(ctx, view, { current: true, maxLines: 2 })));
  const summary = `${all.length} pod(s) were evicted by the kubelet because ${what} (their own ephemeral-storage limit, not node DiskPressure): the container writes more to its local disk (writable layer, logs, emptyDir) than its limit allows. Find what fills it (scratch files, caches, logs) and clean up or raise the limit; the node is healthy, so cordoning it would not help.`;
  return {
    rootCause: { code: 'EPHEMERAL_STORAGE_EVICTION' as const, summary, confidence: 'high' as const },
    evidence,
    actions: [],
  };
}

/** The node ran low on disk (nodefs/imagefs space or inodes): the kubelet evicted pods to reclaim it. */
async function nodePressure(
  ctx: PlaybookContext,
  all: Pod[],
  kind: Extract<EvictionKind, { scope: 'node' }>,
  evidence: Evidence[],
) {
  const nodeNames = [...new Set(all.map((p) => p.spec?.nodeName).filter((n): n is string => !!n))];
  const pressured: string[] = [];
  let threshold: string | null = null;
  for (const name of nodeNames.slice(0, 3)) {
    const node = await ctx.read(ctx.reader.getNode(name), null);
    threshold ??= unusualThreshold(kind.text, node?.status?.capacity?.['ephemeral-storage'], 'ephemeral-storage');
    const disk = node?.status?.conditions?.find((c) => c.type === 'DiskPressure');
    if (disk?.status === 'True') pressured.push(name);
    const storage = node?.status?.allocatable?.['ephemeral-storage'];
    evidence.push({
      kind: 'status',
      text: node
        ? `Node ${name}: DiskPressure=${disk?.status ?? 'unknown'}${disk?.reason ? ` (${disk.reason}${disk.message ? `: ${disk.message}` : ''})` : ''} since ${isoTime(disk?.lastTransitionTime)}, allocatable ephemeral-storage ${storage ? formatMemory(parseQuantity(storage) ?? 0) : 'unknown'}`
        : `Node ${name} no longer exists`,
    });
    const events = await ctx.read(ctx.reader.eventsFor(undefined, 'Node', name), []);
    for (const e of events.filter((e) => /Disk|Eviction|ImageGC|FreeDiskSpace/i.test(e.reason ?? '')).slice(-3))
      evidence.push(eventEvidence(e));
  }
  // Under a threshold set too high, the largest user of the disk is no culprit.
  const hog = threshold ? null : /Container (\S+) was using ([^\s,]+), request is ([^\s,]+)/.exec(kind.text);
  if (hog) {
    evidence.push({
      kind: 'spec',
      text: `${hog[1]} used ${formatMemory(parseQuantity(hog[2]) ?? 0)} of local disk against an ephemeral-storage request of ${hog[3]}: give it a request and a limit so the scheduler and the kubelet account for it`,
    });
  }
  const actions: ProposedAction[] = [];
  const plan = planCordon(pressured, await ctx.read(ctx.reader.listNodes(), []), ctx.settings);
  for (const n of plan.nodes) actions.push(cordonAction(n, 'stop new pods landing on a node under disk pressure'));
  evidence.push(...plan.notes.map((text) => ({ kind: 'spec' as const, text })));
  const resource = kind.resource === 'inodes' ? 'inodes' : 'ephemeral storage';
  const still =
    pressured.length > 0
      ? ` DiskPressure is still True on ${listNames(pressured, 3)}.`
      : ' DiskPressure has cleared since.';
  const summary = `${all.length} pod(s) were evicted by the kubelet because node ${listNames(nodeNames, 3)} ran low on ${resource} (node DiskPressure, not the pods' own limits).${still}${threshold ? ` But ${threshold}.` : ''}${hog ? ` Container ${hog[1]} was the largest user of local disk (${formatMemory(parseQuantity(hog[2]) ?? 0)}, request ${hog[3]}).` : ''}`;
  return {
    rootCause: { code: 'EPHEMERAL_STORAGE_EVICTION' as const, summary, confidence: 'high' as const },
    evidence,
    actions,
  };
}

/** Where a container writes locally: its emptyDir mounts (with sizeLimit), else only its writable layer. */
function writablePaths(pod: Pod, container: string): string {
  const mounts = pod.spec?.containers?.find((c) => c.name === container)?.volumeMounts ?? [];
  const emptyDirs = (pod.spec?.volumes ?? []).filter((v) => v.emptyDir && v.emptyDir.medium !== 'Memory');
  const used = mounts.flatMap((m) => {
    const v = emptyDirs.find((e) => e.name === m.name);
    return v
      ? [`emptyDir ${v.name} at ${m.mountPath}${v.emptyDir?.sizeLimit ? ` (sizeLimit ${v.emptyDir.sizeLimit})` : ''}`]
      : [];
  });
  return used.length > 0
    ? `local writes go to ${used.join(', ')} and its writable layer`
    : 'no emptyDir mounted: every file it writes outside its volumes (scratch, caches, logs in the image filesystem) counts against the limit';
}

function evictedAt(pod: Pod): string {
  const t = evictionTime(pod);
  return t ? `${podName(pod)} (${isoTime(t)})` : podName(pod);
}

function uniqueByName(pods: Pod[]): Pod[] {
  return [...new Map(pods.map((p) => [podName(p), p])).values()];
}
