/**
 * Why adding nodes is not the answer for pods short of a resource, though the scheduler says "Insufficient": a
 * device node whose plugin never registered its devices (the scheduler counts zero of them), or Karpenter refusing
 * to launch any node for the pod (its own FailedScheduling event says which NodePool excludes it and why). Pure.
 */
import type { Node } from '../kube/reader.js';
import { parseQuantity } from '../quantity.js';
import { listNames } from './pods.js';

/** Karpenter's refusal to launch a node for a pod ("incompatible with nodepool "x", … no instance type satisfied …"). */
export const KARPENTER_REFUSAL = /incompatible with (?:nodepool|provisioner) "/;

/** What Karpenter's refusal says to change: its pools' words, never "add nodes" (it is what adds them). */
export function karpenterAdvice(message: string): string {
  const pools = [
    ...message.matchAll(
      /incompatible with (?:nodepool|provisioner) "([^"]+)"[^;]*?(no instance type satisfied resources|did not tolerate [^;,]+|exceeds limits?[^;,]*)/g,
    ),
  ].map((m) => `${m[1]}: ${m[2]}`);
  const why = pools.length > 0 ? ` (${listNames(pools, 3)})` : '';
  return `Karpenter launches no node for it${why}: no NodePool allows an instance type large enough, or its requirements, taints or limits exclude the pod. Lower the requests, or widen a NodePool (instance families and sizes, capacity types, zones) or raise its limits; adding nodes by hand does not change what Karpenter launches.`;
}

/** Resources every node has, which no device plugin registers. */
const CORE_RESOURCES = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);

/**
 * An extended resource the scheduler found short (nvidia.com/gpu, amd.com/gpu, a FPGA…) that none of the nodes the pod
 * may use advertises at all, while some of them are built for such devices (a label or taint of its vendor, an
 * accelerator label): not a full node but one whose device plugin never registered the devices with the kubelet
 * (its DaemonSet pod missing or crashing there, the driver absent). Null when some usable node has it, or none is
 * built for it (then nodes with the devices are what is missing).
 */
export function deviceNotAdvertised(
  usable: Node[],
  short: string[],
): { words: string; evidence: string; nodes: string } | null {
  const resource = short
    .map((s) => s.replace(/^insufficient /, ''))
    .find((r) => !CORE_RESOURCES.has(r) && r !== 'too many pods');
  if (!resource) return null;
  const has = (n: Node) => Number(parseQuantity(n.status?.capacity?.[resource] ?? '0') ?? 0) > 0;
  if (usable.some(has)) return null;
  // Only nodes built for such devices say a plugin is missing (a label or taint of the resource's vendor domain, an
  // accelerator label): on a cluster without them, the answer is nodes that have the devices.
  const vendor = `${resource.split('/')[0]}/`;
  const deviceKey = (key: string) => key.startsWith(vendor) || /accelerator|gpu/i.test(key);
  const built = usable.filter(
    (n) =>
      Object.keys(n.metadata?.labels ?? {}).some(deviceKey) || (n.spec?.taints ?? []).some((t) => deviceKey(t.key)),
  );
  if (built.length === 0) return null;
  const one = built.length === 1;
  const names = listNames(
    built.map((n) => n.metadata?.name ?? '?'),
    4,
  );
  return {
    nodes: names,
    evidence: `Device nodes the pod may use (its nodeSelector and tolerations): ${names}; none lists ${resource} in its capacity`,
    words: `${one ? 'node' : 'nodes'} ${names}, built for such devices and allowed by its nodeSelector and tolerations, ${one ? 'advertises' : 'advertise'} no ${resource} at all (none in ${one ? 'its' : 'their'} capacity): the device plugin that registers those devices with the kubelet is not running there or has not registered them, so the scheduler counts zero`,
  };
}
