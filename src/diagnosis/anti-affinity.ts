/**
 * Replicas that a required pod anti-affinity against their own pods can never place: with topologyKey
 * kubernetes.io/hostname each node takes one, so a workload wanting more replicas than there are nodes its pods may
 * use leaves the rest Pending ("N node(s) didn't match pod anti-affinity rules") however empty the nodes are.
 */
import type { Node, Pod } from '../kube/reader.js';
import { nodeBlocker } from './scheduling.js';

export interface SpreadLimit {
  topologyKey: string;
  /** Topology domains (nodes, zones) the pods may use: at most one pod each. */
  domains: number;
  /** "app=quote-engine". */
  selector: string;
}

/** The pod's required anti-affinity term against pods with its own labels, and how many domains it leaves. */
export function spreadLimit(pod: Pod, nodes: Node[]): SpreadLimit | null {
  const labels = pod.metadata?.labels ?? {};
  const terms = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  for (const term of terms) {
    const match = term.labelSelector?.matchLabels ?? {};
    const pairs = Object.entries(match);
    const own =
      pairs.length > 0 && !term.labelSelector?.matchExpressions?.length && pairs.every(([k, v]) => labels[k] === v);
    if (!own || !term.topologyKey) continue;
    const key = term.topologyKey;
    const usable = nodes.filter((n) => nodeBlocker(n, pod) === null);
    const domains = new Set(usable.map((n) => n.metadata?.labels?.[key]).filter((v) => v !== undefined)).size;
    return { topologyKey: key, domains, selector: pairs.map(([k, v]) => `${k}=${v}`).join(', ') };
  }
  return null;
}
