/**
 * What a kubelet eviction message says: which resource ran out and whose limit it was (the node's, or the pod's
 * own). The texts are the kubelet eviction manager's (pkg/kubelet/eviction/helpers.go):
 * - "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91232Ki. Container etl was using
 *   3523412Ki, request is 256Mi, has larger consumption of memory."  (node pressure; also ephemeral-storage, inodes, pids)
 * - "The node had condition: [DiskPressure]."                         (rejected at admission under a node condition)
 * - "Container app exceeded its local ephemeral storage limit "1Gi". "   (the container's own limit)
 * - "Pod ephemeral local storage usage exceeds the total limit of containers 2Gi. "   (the pod's summed limits)
 * - "Usage of EmptyDir volume "scratch" exceeds the limit "512Mi". "    (an emptyDir sizeLimit)
 * One home for this parsing, so a container or volume whose name contains "memory" never turns a storage eviction
 * into a memory one.
 */
import type { Pod } from '../kube/reader.js';
import { parseQuantity } from '../quantity.js';
import { type ResolvedTarget, tooOldToExplain } from './playbook.js';

export type EvictionKind =
  | { scope: 'node'; resource: 'memory' | 'ephemeral-storage' | 'inodes' | 'pids' | 'other'; text: string }
  | { scope: 'container-limit'; container: string; limit: string }
  | { scope: 'pod-limit'; limit: string }
  | { scope: 'emptydir-limit'; volume: string; limit: string };

const NODE_LOW = /The node was low on resource: \[?([A-Za-z][A-Za-z-]*)/;
const NODE_CONDITION = /The node had condition: \[([A-Za-z]+)\]/;
const CONTAINER_LIMIT = /Container (\S+) exceeded its local ephemeral storage limit "([^"]+)"/;
const POD_LIMIT = /Pod ephemeral local storage usage exceeds the total limit of containers ([0-9.]+[A-Za-z]*)/;
const EMPTYDIR_LIMIT = /Usage of EmptyDir volume "([^"]+)" exceeds the limit "([^"]+)"/;

/** Resource names in "low on resource" (and the old condition-style names some kubelets printed). */
const NODE_RESOURCES: Record<string, 'memory' | 'ephemeral-storage' | 'inodes' | 'pids'> = {
  memory: 'memory',
  MemoryPressure: 'memory',
  'ephemeral-storage': 'ephemeral-storage',
  nodefs: 'ephemeral-storage',
  imagefs: 'ephemeral-storage',
  DiskPressure: 'ephemeral-storage',
  inodes: 'inodes',
  pids: 'pids',
  PIDPressure: 'pids',
};

/** Classifies a pod's eviction; null when the pod was not evicted by the kubelet or the message is unknown. */
export function classifyEviction(pod: Pod): EvictionKind | null {
  if (pod.status?.reason !== 'Evicted') return null;
  const message = pod.status.message ?? '';
  const container = CONTAINER_LIMIT.exec(message);
  if (container?.[1] && container[2]) return { scope: 'container-limit', container: container[1], limit: container[2] };
  const podLimit = POD_LIMIT.exec(message);
  if (podLimit?.[1]) return { scope: 'pod-limit', limit: podLimit[1] };
  const emptyDir = EMPTYDIR_LIMIT.exec(message);
  if (emptyDir?.[1] && emptyDir[2]) return { scope: 'emptydir-limit', volume: emptyDir[1], limit: emptyDir[2] };
  const low = NODE_LOW.exec(message) ?? NODE_CONDITION.exec(message);
  if (low?.[1]) return { scope: 'node', resource: NODE_RESOURCES[low[1]] ?? 'other', text: message.trim() };
  return null;
}

/** The node ran low on memory: NODE_MEMORY_EVICTION, never an ephemeral-storage or emptyDir eviction. */
export function isNodeMemoryEviction(pod: Pod): boolean {
  const kind = classifyEviction(pod);
  if (kind) return kind.scope === 'node' && kind.resource === 'memory';
  // A message in none of the known shapes (another kubelet version): fall back to its wording.
  const message = pod.status?.message ?? '';
  return (
    pod.status?.reason === 'Evicted' && /memory/i.test(message) && !/ephemeral|storage|nodefs|imagefs/i.test(message)
  );
}

/** Evicted for disk: the node's ephemeral storage or inodes, or the pod's own ephemeral-storage/emptyDir limit. */
export function isStorageEviction(pod: Pod): boolean {
  const kind = classifyEviction(pod);
  if (!kind) return false;
  return kind.scope !== 'node' || kind.resource === 'ephemeral-storage' || kind.resource === 'inodes';
}

/**
 * When the kubelet evicted the pod: its DisruptionTarget condition (reason TerminationByKubelet, Kubernetes 1.26 and
 * later), else when its Ready condition last changed, else the latest time one of its containers finished;
 * undefined when the pod records none of them.
 */
export function evictionTime(pod: Pod): Date | undefined {
  const conditions = pod.status?.conditions ?? [];
  const at =
    conditions.find((c) => c.type === 'DisruptionTarget')?.lastTransitionTime ??
    conditions.find((c) => c.type === 'Ready' && c.status === 'False')?.lastTransitionTime ??
    (pod.status?.containerStatuses ?? [])
      .map((s) => s.state?.terminated?.finishedAt)
      .filter((t) => !!t)
      .sort()
      .at(-1);
  if (!at) return undefined;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The evicted pods that can explain the alert: the pod the alert names, however long ago it was evicted
 * (KubePodNotReady keeps firing for a Failed pod), and any other only when its eviction is recent
 * (`tooOldToExplain`): an evicted pod of a workload stays listed for days after its replacement runs.
 */
export function explainingEvictions(evicted: Pod[], target: ResolvedTarget, startMs: number): Pod[] {
  const named = target.kind === 'Pod' ? target.name : undefined;
  return evicted.filter((pod) => pod.metadata?.name === named || !tooOldToExplain(evictionTime(pod), startMs));
}

/** The threshold part of a node-pressure message ("Threshold quantity: 4281126156, available: 3862336Ki. "). */
const THRESHOLD_MET = /Threshold quantity: (\d+(?:\.\d+)?[A-Za-z]*), available: (-?\d+(?:\.\d+)?[A-Za-z]*)/;

/** A threshold above this share of the node's capacity is no default (memory.available 100Mi, nodefs 10 %, imagefs 15 %). */
const UNUSUAL_THRESHOLD_SHARE = 0.3;

/**
 * When the kubelet's own eviction threshold, not the load, made it evict: the threshold the message quotes is a large
 * share of the node's capacity (`capacity`, the node's status.capacity of the resource), so it evicted with plenty
 * left. A sentence, or null when the threshold is ordinary or the message gives no figures.
 */
export function unusualThreshold(message: string, capacity: string | undefined, resource: string): string | null {
  const met = THRESHOLD_MET.exec(message);
  const threshold = parseQuantity(met?.[1]);
  const available = parseQuantity(met?.[2]);
  const total = parseQuantity(capacity);
  if (threshold === null || available === null || total === null || total <= 0) return null;
  if (threshold < total * UNUSUAL_THRESHOLD_SHARE) return null;
  const gi = (bytes: number) =>
    bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
  const signal = resource === 'memory' ? 'memory.available' : 'nodefs.available or imagefs.available';
  return `the kubelet evicts when less than ${gi(threshold)} (${Math.round((threshold / total) * 100)}% of the node's ${gi(total)}) is free, and ${gi(available)} was still free: its eviction threshold (${signal} in evictionHard or evictionSoft, /var/lib/kubelet/config.yaml) is set far above the usual, so the node evicts pods with room left. Correct the kubelet's threshold; cleaning up or moving pods will not stop it`;
}
