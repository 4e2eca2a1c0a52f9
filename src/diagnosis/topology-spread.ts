/**
 * A pod the scheduler holds back for a topology spread constraint ("N node(s) didn't match pod topology spread
 * constraints"), counted as the PodTopologySpread plugin counts: per value of the constraint's topologyKey over the
 * nodes the pod may use (nodeAffinityPolicy Honor, the default: its nodeSelector; nodeTaintsPolicy Ignore, the
 * default: tainted, cordoned and NotReady nodes still count), the assigned, non-terminating pods its labelSelector
 * (with matchLabelKeys) selects. A new pod may go to a domain only if that domain's count plus one stays within
 * maxSkew of the smallest count (0 when fewer domains than minDomains exist). When every node of the domains it may
 * use is cordoned, NotReady or tainted, nothing frees up by itself, and adding replicas meets the same skew. Pure.
 */
import { labelSelectorMatcher, labelSelectorString, type Node, type Pod } from '../kube/reader.js';
import { nodeBlocker } from './scheduling.js';

export const SPREAD_REFUSAL = /didn't match pod topology spread constraints/;

type Constraint = NonNullable<NonNullable<Pod['spec']>['topologySpreadConstraints']>[number];

export interface SpreadBlock {
  evidence: string[];
  /** What holds the pod and what to change, as sentences. */
  words: string;
}

/** The constraint's selector with matchLabelKeys added as the pending pod's own values of those keys. */
function selectorOf(constraint: Constraint, pod: Pod): Constraint['labelSelector'] {
  const extra = Object.fromEntries(
    (constraint.matchLabelKeys ?? [])
      .map((k) => [k, pod.metadata?.labels?.[k]] as const)
      .filter((kv): kv is [string, string] => kv[1] !== undefined),
  );
  if (!constraint.labelSelector) return undefined;
  return {
    ...constraint.labelSelector,
    matchLabels: { ...(constraint.labelSelector.matchLabels ?? {}), ...extra },
  };
}

const matchesNodeSelector = (pod: Pod, node: Node) =>
  Object.entries(pod.spec?.nodeSelector ?? {}).every(([k, v]) => node.metadata?.labels?.[k] === v);

interface Domain {
  value: string;
  count: number;
  nodes: Node[];
}

/** The domains of one constraint, each with the pods `selector` picks; null for a selector Medic cannot read. */
function domainsOf(
  constraint: Constraint,
  selector: string,
  pending: Pod,
  pods: Pod[],
  nodes: Node[],
): Map<string, Domain> | null {
  const matches = labelSelectorMatcher(selector);
  if (!matches) return null;
  const key = constraint.topologyKey;
  const domains = new Map<string, Domain>();
  const domainOfNode = new Map<string, Domain>();
  for (const node of nodes) {
    const value = node.metadata?.labels?.[key];
    if (value === undefined || (constraint.nodeAffinityPolicy !== 'Ignore' && !matchesNodeSelector(pending, node)))
      continue;
    if (constraint.nodeTaintsPolicy === 'Honor' && nodeBlocker(node, pending)?.startsWith('tainted')) continue;
    const domain = domains.get(value) ?? { value, count: 0, nodes: [] };
    domain.nodes.push(node);
    domains.set(value, domain);
    domainOfNode.set(node.metadata?.name ?? '', domain);
  }
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || pod.metadata?.deletionTimestamp || pod.metadata?.namespace !== pending.metadata?.namespace) continue;
    const domain = domainOfNode.get(node);
    if (domain && matches(pod.metadata?.labels ?? {})) domain.count += 1;
  }
  return domains;
}

/** What makes a node take pods again, for the ways nodeBlocker says it refuses them. */
function remedies(why: string[]): string {
  const ways: string[] = [];
  if (why.some((w) => w.startsWith('cordoned'))) ways.push('uncordon it');
  if (why.some((w) => w.startsWith('NotReady'))) ways.push('bring back or replace the NotReady ones');
  if (why.some((w) => w.startsWith('tainted'))) ways.push('remove the taint or tolerate it');
  return ways.join(', or ');
}

/** Why the spread keeps `pending` off every node, from the first DoNotSchedule constraint that explains it. */
export function spreadBlock(pending: Pod, pods: Pod[], nodes: Node[]): SpreadBlock | null {
  for (const constraint of pending.spec?.topologySpreadConstraints ?? []) {
    if (constraint.whenUnsatisfiable !== 'DoNotSchedule') continue;
    // A constraint without a selector counts no pod.
    const selector = labelSelectorString(selectorOf(constraint, pending));
    const domains = selector ? domainsOf(constraint, selector, pending, pods, nodes) : null;
    if (!domains || domains.size === 0) continue;
    const all = [...domains.values()].sort((a, b) => a.value.localeCompare(b.value));
    const tooFew = constraint.minDomains !== undefined && all.length < constraint.minDomains;
    const min = tooFew ? 0 : Math.min(...all.map((d) => d.count));
    const maxSkew = constraint.maxSkew;
    const allowed = all.filter((d) => d.count + 1 - min <= maxSkew);
    const key = constraint.topologyKey;
    const counts = all.map((d) => `${d.value} ${d.count}`).join(', ');
    const evidence = [
      `Topology spread constraint: topologyKey ${key}, maxSkew ${maxSkew}, whenUnsatisfiable DoNotSchedule over pods with ${selector}; pods per ${key}: ${counts}${tooFew ? ` (fewer than minDomains ${constraint.minDomains}, so the minimum counts as 0)` : ''}`,
    ];
    const blocked = allowed.filter((d) => d.nodes.every((n) => nodeBlocker(n, pending) !== null));
    for (const d of blocked) {
      const why = d.nodes.map((n) => `${n.metadata?.name}: ${nodeBlocker(n, pending)}`).join(', ');
      evidence.push(`${key} ${d.value}: ${d.nodes.length} node(s), none can take the pod (${why})`);
    }
    const others = all.filter((d) => !allowed.includes(d));
    const elsewhere =
      others.length > 0
        ? `; in ${others.map((d) => d.value).join(', ')} it would make the skew ${Math.max(...others.map((d) => d.count + 1 - min))}, over maxSkew ${maxSkew}`
        : '';
    const allowedNames = allowed.map((d) => d.value).join(' or ');
    const bend = `or let the constraint bend (whenUnsatisfiable: ScheduleAnyway, or a larger maxSkew). More replicas meet the same skew`;
    if (blocked.length === allowed.length) {
      const why = [...new Set(blocked.flatMap((d) => d.nodes.map((n) => nodeBlocker(n, pending) ?? '')))];
      return {
        evidence,
        words: `A new pod may only go to ${key} ${allowedNames}, where no node can take it (${why.join(', ')})${elsewhere} (pods per ${key}: ${counts}). Make a node in ${allowedNames} schedulable again (${remedies(why)}), ${bend}.`,
      };
    }
    return {
      evidence,
      words: `A new pod may only go to ${key} ${allowedNames} (pods per ${key}: ${counts})${elsewhere}; the nodes there that are schedulable lack something else it needs (room for its requests, its affinity). Give it room there, ${bend}.`,
    };
  }
  return null;
}
