/**
 * Which nodes may be proposed for cordoning within the blast radius of medic.yaml: at most
 * `remediation.maxCordonNodes` in total, and never more than half of a zone's nodes (already cordoned ones count).
 */
import type { Settings } from '../config/settings.js';
import { type Node, nodeZone } from '../kube/reader.js';
import type { ProposedAction } from '../types.js';

export interface CordonPlan {
  nodes: string[];
  /** Why fewer nodes than wanted were proposed, for the evidence. */
  notes: string[];
}

export function planCordon(wanted: string[], allNodes: Node[], settings: Settings): CordonPlan {
  const max = settings.remediation.maxCordonNodes;
  const byName = new Map(allNodes.map((n) => [n.metadata?.name ?? '', n]));
  const perZone = new Map<string, { total: number; cordoned: number }>();
  for (const n of allNodes) {
    const zone = nodeZone(n) ?? '(no zone)';
    const z = perZone.get(zone) ?? { total: 0, cordoned: 0 };
    z.total += 1;
    if (n.spec?.unschedulable) z.cordoned += 1;
    perZone.set(zone, z);
  }
  const nodes: string[] = [];
  const notes: string[] = [];
  const skippedByZone = new Map<string, number>();
  for (const name of [...new Set(wanted)]) {
    const node = byName.get(name);
    if (node?.spec?.unschedulable) continue;
    if (nodes.length >= max) {
      notes.push(`Only ${max} node(s) proposed for cordoning (remediation.maxCordonNodes = ${max}).`);
      break;
    }
    const zone = node ? (nodeZone(node) ?? '(no zone)') : '(no zone)';
    const z = perZone.get(zone) ?? { total: 1, cordoned: 0 };
    if ((z.cordoned + 1) * 2 > z.total) {
      skippedByZone.set(zone, (skippedByZone.get(zone) ?? 0) + 1);
      continue;
    }
    z.cordoned += 1;
    nodes.push(name);
  }
  for (const [zone, skipped] of skippedByZone) {
    const z = perZone.get(zone);
    notes.push(
      `${skipped} more node(s) of zone ${zone} not proposed: cordoning them would take more than half of its ${z?.total ?? '?'} node(s) out of scheduling.`,
    );
  }
  return { nodes, notes };
}

export function cordonAction(node: string, why: string): ProposedAction {
  return { kind: 'cordon-node', title: `Cordon node ${node} (${why})`, params: { node }, risk: 'medium' };
}
