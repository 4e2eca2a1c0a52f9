/**
 * Pods the scheduler can never place for a rule of their own pod spec, proved from the workload's pods and the node
 * list (UNKNOWN's first finding, playbooks/unknown.ts): more replicas than a required anti-affinity against their
 * own pods allows (anti-affinity.ts), a DoNotSchedule topology spread constraint whose allowed domains have no node
 * that takes them (topology-spread.ts), host ports every usable node already gives to the workload's own pods
 * (host-ports.ts). A cluster with room elsewhere does not help; Medic proposes nothing.
 */
import type { Evidence } from '../types.js';
import { spreadLimit } from './anti-affinity.js';
import { PORTS_TAKEN, portBlock } from './host-ports.js';
import type { PlaybookContext, ResolvedTarget } from './playbook.js';
import { listNames, podName, schedulingMessage } from './pods.js';
import { SPREAD_REFUSAL, spreadBlock } from './topology-spread.js';

/** The target's pods the scheduler left unplaced with a message matching `refusal`. */
const refusedPods = (target: ResolvedTarget, refusal: RegExp) =>
  target.pods.filter((p) => !p.spec?.nodeName && refusal.test(schedulingMessage(p, []) ?? ''));

/** More replicas than a required anti-affinity against their own pods can ever place (one per node, say). */
async function antiAffinityLimit(ctx: PlaybookContext, target: ResolvedTarget, evidence: Evidence[]) {
  const wanted = (target.workload?.object.spec as { replicas?: number } | undefined)?.replicas;
  const stuck = refusedPods(target, /pod anti-affinity/);
  const first = stuck[0];
  if (!first || wanted === undefined || !target.workload) return null;
  const limit = spreadLimit(first, await ctx.read(ctx.reader.listNodes(), []));
  if (!limit || wanted <= limit.domains) return null;
  const unit = limit.topologyKey === 'kubernetes.io/hostname' ? 'node' : `${limit.topologyKey} domain`;
  evidence.push({
    kind: 'spec',
    text: `Required pod anti-affinity: no two pods with ${limit.selector} in one ${unit} (topologyKey ${limit.topologyKey}); ${limit.domains} ${unit}(s) can take its pods`,
  });
  const w = target.workload;
  return `${w.kind} ${w.name} wants ${wanted} replicas, but its pods' required anti-affinity (topologyKey ${limit.topologyKey}: no two pods with ${limit.selector} in one ${unit}) places at most ${limit.domains}, one per ${unit} its pods may use: ${wanted - limit.domains} pod(s) can never be scheduled (${listNames(stuck.map(podName), 3)}), however much room the nodes have. Add ${unit}s, lower the replicas (or the HPA's minimum) to ${limit.domains}, or make the rule preferredDuringSchedulingIgnoredDuringExecution. Medic proposes nothing.`;
}

/** Pods a DoNotSchedule topology spread constraint keeps off every node that could take them. */
async function topologySpread(ctx: PlaybookContext, target: ResolvedTarget, evidence: Evidence[]) {
  const stuck = refusedPods(target, SPREAD_REFUSAL);
  const first = stuck[0];
  if (!first) return null;
  const block = spreadBlock(first, target.pods, await ctx.read(ctx.reader.listNodes(), []));
  if (!block) return null;
  evidence.push(...block.evidence.map((text) => ({ kind: 'spec' as const, text })));
  const owner = target.workload ? `${target.workload.kind} ${target.workload.name}: ` : '';
  return `${owner}${stuck.length} pod(s) cannot be scheduled (${listNames(stuck.map(podName), 3)}) because of their topology spread constraint. ${block.words} Medic proposes nothing.`;
}

/** Pods whose host ports every usable node already gives to the workload's own pods (a surging rollout, too many replicas). */
async function hostPortLimit(ctx: PlaybookContext, target: ResolvedTarget, evidence: Evidence[]) {
  const stuck = refusedPods(target, PORTS_TAKEN);
  const first = stuck[0];
  if (!first) return null;
  const block = portBlock(first, target.pods, await ctx.read(ctx.reader.listNodes(), []), target.workload ?? null);
  if (!block) return null;
  evidence.push(...block.evidence.map((text) => ({ kind: 'spec' as const, text })));
  return `${stuck.length} pod(s) cannot be scheduled (${listNames(stuck.map(podName), 3)}): no node has their host port(s) free. ${block.words} Medic proposes nothing.`;
}

/** The first rule that explains the target's unplaceable pods, as UNKNOWN's summary (its evidence added). */
export async function unplaceableFinding(
  ctx: PlaybookContext,
  target: ResolvedTarget,
  evidence: Evidence[],
): Promise<string | null> {
  return (
    (await antiAffinityLimit(ctx, target, evidence)) ??
    (await topologySpread(ctx, target, evidence)) ??
    (await hostPortLimit(ctx, target, evidence))
  );
}
