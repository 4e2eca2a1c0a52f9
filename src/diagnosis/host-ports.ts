/**
 * Pods the scheduler cannot place because the host ports they ask for are taken ("N node(s) didn't have free ports
 * for the requested pod ports", the NodePorts plugin): a hostPort, or every containerPort of a hostNetwork pod, is
 * one per node. Two shapes are proved from the workload's own pods alone:
 * - a rolling update that surges: every usable node already runs an old pod holding the port, and the strategy's
 *   maxUnavailable resolves to 0, so the controller never stops an old pod to make room: the rollout waits forever;
 * - more replicas than usable nodes: one pod per node at most.
 * Any other holder (another workload's pod) is not claimed. Pure.
 */
import type { Deployment, Node, Pod, Workload } from '../kube/reader.js';
import { resolveIntOrPercent } from '../kube/rollouts.js';
import { podName, podRevision } from './pods.js';
import { nodeBlocker } from './scheduling.js';

export const PORTS_TAKEN = /didn't have free ports for the requested pod ports/;

/** The host ports a pod takes on its node ("8080/TCP"). */
export function hostPorts(pod: Pod): string[] {
  const hostNetwork = pod.spec?.hostNetwork === true;
  const ports = new Set<string>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? (hostNetwork ? p.containerPort : undefined);
      if (port) ports.add(`${port}/${p.protocol ?? 'TCP'}`);
    }
  }
  return [...ports];
}

export interface PortBlock {
  evidence: string[];
  words: string;
}

/** Why `pending` finds no node with its host ports free, when the workload's own pods explain it. */
export function portBlock(pending: Pod, pods: Pod[], nodes: Node[], workload: Workload | null): PortBlock | null {
  const wanted = hostPorts(pending);
  if (wanted.length === 0 || !workload) return null;
  const usable = nodes.filter((n) => nodeBlocker(n, pending) === null).map((n) => n.metadata?.name ?? '');
  const holders = pods.filter(
    (p) =>
      p.spec?.nodeName &&
      !p.metadata?.deletionTimestamp &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed' &&
      hostPorts(p).some((port) => wanted.includes(port)),
  );
  const held = new Set(holders.map((p) => p.spec?.nodeName));
  if (usable.length === 0 || !usable.every((n) => held.has(n))) return null;
  const portText = wanted.join(', ');
  const how = pending.spec?.hostNetwork ? 'hostNetwork: true, so its container ports are host ports' : 'hostPort';
  const evidence = [
    `${podName(pending)} asks for host port(s) ${portText} (${how}); each of the ${usable.length} node(s) that could take it already runs a pod of ${workload.kind} ${workload.name} holding them (${holders
      .slice(0, 4)
      .map((p) => `${podName(p)} on ${p.spec?.nodeName}`)
      .join(', ')}${holders.length > 4 ? ', …' : ''})`,
  ];
  const revision = podRevision(pending)?.value;
  const older = holders.filter((p) => podRevision(p)?.value !== revision);
  const object = workload.object as Deployment;
  if (workload.kind === 'Deployment' && older.length > 0 && object.spec?.strategy?.type !== 'Recreate') {
    const replicas = object.spec?.replicas ?? 1;
    const rolling = object.spec?.strategy?.rollingUpdate;
    const unavailable = resolveIntOrPercent(rolling?.maxUnavailable, replicas, false);
    const surge = resolveIntOrPercent(rolling?.maxSurge, replicas, true);
    const text = `rollingUpdate maxSurge ${rolling?.maxSurge ?? '25%'} (${surge} pod(s)), maxUnavailable ${rolling?.maxUnavailable ?? '25%'} (${unavailable} of ${replicas})`;
    evidence.push(`Strategy: ${text}`);
    if (unavailable === 0) {
      return {
        evidence,
        words: `The rollout of ${workload.kind} ${workload.name} adds a new pod before it stops an old one (${text}), but host port(s) ${portText} allow one pod per node and every node that could take it runs an old pod: the new pod waits forever and no old pod is stopped. Set maxSurge 0 and maxUnavailable 1 (or strategy Recreate) so an old pod makes room first, or add a node.`,
      };
    }
    return null;
  }
  if (replicas(workload) > usable.length) {
    return {
      evidence,
      words: `${workload.kind} ${workload.name} wants ${replicas(workload)} replicas, but host port(s) ${portText} allow one pod per node and ${usable.length} node(s) can take its pods: the others can never be scheduled, however much room the nodes have. Lower the replicas to ${usable.length}, add nodes, or drop the host port (a Service reaches the pods without it).`,
    };
  }
  return null;
}

const replicas = (workload: Workload) => (workload.object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
