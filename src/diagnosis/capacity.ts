/**
 * Room on the nodes for more pods of one shape, as the scheduler's resource fit counts it: allocatable minus the
 * requests of the pods already bound to each node, on the nodes such a pod may use. Requests, not usage: a node
 * whose pods request everything is full even when they idle. Node affinity and topology spread are not evaluated.
 */
import type { Node, Pod, PodPlacement, PodSpec } from '../kube/reader.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity } from '../quantity.js';
import { nodeBlocker } from './scheduling.js';

/** Where a node's pod slots (allocatable pods, the kubelet's maxPods) come from, and so how to get more. */
export const MAX_PODS_ADVICE =
  "raise the nodes' max pods (the kubelet's maxPods; on EKS the VPC CNI's IP addresses per instance type set it, on GKE the node pool's maximum pods per node)";

export interface Requests {
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

type PlacementSpec = NonNullable<PodPlacement['spec']>;
type ContainerList = PlacementSpec['containers'];

function sum(containers: ContainerList | undefined): Requests {
  let cpu = 0;
  let memory = 0;
  for (const c of containers ?? []) {
    cpu += parseCpuMillis(c.resources?.requests?.cpu) ?? 0;
    memory += parseQuantity(c.resources?.requests?.memory) ?? 0;
  }
  return { cpu, memory };
}

/** A pod's requests: its containers and native sidecars, at least its largest init container, plus overhead. */
export function podRequests(spec: PlacementSpec | undefined): Requests {
  const init = spec?.initContainers ?? [];
  const running = sum([...(spec?.containers ?? []), ...init.filter((c) => c.restartPolicy === 'Always')]);
  for (const c of init.filter((c) => c.restartPolicy !== 'Always')) {
    const one = sum([c]);
    running.cpu = Math.max(running.cpu, one.cpu);
    running.memory = Math.max(running.memory, one.memory);
  }
  running.cpu += parseCpuMillis(spec?.overhead?.cpu) ?? 0;
  running.memory += parseQuantity(spec?.overhead?.memory) ?? 0;
  return running;
}

/** "cpu 500m, memory 1Gi"; nothing left shows as 0, not as formatMemory's smallest unit. */
export function formatRequests(r: Requests): string {
  const cpu = r.cpu > 0 ? formatCpu(r.cpu) : '0';
  const memory = r.memory > 0 ? formatMemory(r.memory) : '0';
  return `cpu ${cpu}, memory ${memory}`;
}

export interface NodeRoom {
  name: string;
  /** Why a pod of this shape cannot go there at all (cordoned, NotReady, untolerated taint, nodeSelector). */
  blocker: string | null;
  free: Requests & { pods: number };
  /** How many more pods of the shape fit. */
  fits: number;
}

export interface ClusterRoom {
  nodes: NodeRoom[];
  /** Pods of the shape that fit on all usable nodes together. */
  fits: number;
  usable: number;
}

/** Why the pod's nodeSelector keeps it off the node, or null when the node matches it. */
export function selectorBlocker(node: Node, spec: PodSpec | undefined): string | null {
  const labels = node.metadata?.labels ?? {};
  const miss = Object.entries(spec?.nodeSelector ?? {}).find(([k, v]) => labels[k] !== v);
  return miss ? `does not match nodeSelector ${miss[0]}=${miss[1]}` : null;
}

/** Room for more pods shaped like `shape` (its spec gives requests, tolerations and nodeSelector). */
export function clusterRoom(nodes: Node[], activePods: PodPlacement[], shape: Pod): ClusterRoom {
  const need = podRequests(shape.spec);
  const byNode = new Map<string, PodPlacement[]>();
  for (const p of activePods) {
    const n = p.spec?.nodeName;
    if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const rooms = nodes.map((node): NodeRoom => {
    const name = node.metadata?.name ?? '?';
    const alloc = node.status?.allocatable ?? {};
    const bound = byNode.get(name) ?? [];
    const used = bound.map((p) => podRequests(p.spec));
    const free = {
      cpu: (parseCpuMillis(alloc.cpu) ?? 0) - used.reduce((s, r) => s + r.cpu, 0),
      memory: (parseQuantity(alloc.memory) ?? 0) - used.reduce((s, r) => s + r.memory, 0),
      pods: (parseQuantity(alloc.pods) ?? 110) - bound.length,
    };
    const blocker =
      nodeBlocker(node, shape) ??
      selectorBlocker(node, shape.spec) ??
      (alloc.cpu === undefined || alloc.memory === undefined ? 'reports no allocatable cpu/memory' : null);
    const fitsBy = (have: number, want: number) => (want > 0 ? Math.floor(have / want) : Number.POSITIVE_INFINITY);
    const fits = blocker
      ? 0
      : Math.max(0, Math.min(fitsBy(free.cpu, need.cpu), fitsBy(free.memory, need.memory), free.pods));
    return { name, blocker, free, fits };
  });
  const usable = rooms.filter((r) => r.blocker === null);
  return { nodes: rooms, fits: usable.reduce((s, r) => s + r.fits, 0), usable: usable.length };
}

/** "ip-10-0-1-5: cpu 1.2, memory 3Gi, 20 pod slots free (2 fit)" for the usable nodes with the most room. */
export function describeRoom(room: ClusterRoom, max = 4): string {
  const usable = room.nodes.filter((r) => r.blocker === null).sort((a, b) => b.fits - a.fits);
  const parts = usable.slice(0, max).map((r) => `${r.name}: ${formatRequests(r.free)} free (${r.fits} fit)`);
  const more = usable.length > max ? `, and ${usable.length - max} more` : '';
  const blocked = room.nodes.length - usable.length;
  return `${parts.join('; ')}${more}${
    blocked
      ? `; ${blocked} node(s) cannot take them (${room.nodes
          .filter((r) => r.blocker)
          .slice(0, 3)
          .map((r) => `${r.name} ${r.blocker}`)
          .join(', ')})`
      : ''
  }`;
}
