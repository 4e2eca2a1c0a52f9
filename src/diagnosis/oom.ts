/** Finding containers killed by their own memory limit, and the set-memory-limit proposal with its evidence. */
import type { SidecarRule } from '../config/settings.js';
import type { ContainerUsage, Node, Pod, Workload } from '../kube/reader.js';
import { formatMemory, parseQuantity, proposeMemoryLimit } from '../quantity.js';
import type { Evidence, ProposedAction } from '../types.js';
import { atCeilingWords, type ContainerCeiling, containerCeiling, raiseUnder } from './admission.js';
import { selectorBlocker } from './capacity.js';
import { type HeapLimitReading, heapAgainstLimit } from './heap.js';
import { injectedLimitAdvice, raisedInTemplate, templateAheadWords, templateDefines } from './injected-sidecars.js';
import { type PlaybookContext, tooOldToExplain } from './playbook.js';
import {
  type ContainerView,
  capitalized,
  containersOf,
  isoTime,
  ofNamedContainer,
  oomTermination,
  podName,
  sidecarRuleFor,
  unpatchableLimitWords,
  workloadRef,
} from './pods.js';
import { type MemoryTypo, memoryTypoWords, memoryUnitTypo } from './quantity-typos.js';
import { type SystemOom, systemOomOf, systemOomWords } from './system-oom.js';

export interface OomKill {
  view: ContainerView;
  finishedAt: Date | undefined;
  sidecar: SidecarRule | null;
}

export function findOomKills(pods: Pod[], rules: SidecarRule[], alertStartMs: number): OomKill[] {
  const kills: OomKill[] = [];
  for (const pod of pods) {
    for (const view of containersOf(pod)) {
      const term = oomTermination(view.status);
      if (!term) continue;
      const finished = term.finishedAt ? new Date(term.finishedAt) : undefined;
      const crashing = view.status.state?.waiting?.reason === 'CrashLoopBackOff';
      // An old kill does not explain the alert, unless the container still crash-loops.
      if (!crashing && tooOldToExplain(finished, alertStartMs)) continue;
      const sidecar =
        view.isInit && !view.isNativeSidecar
          ? null
          : sidecarRuleFor({ name: view.status.name, image: view.status.image ?? view.spec?.image }, rules);
      kills.push({ view, finishedAt: finished, sidecar });
    }
  }
  return kills;
}

/**
 * The kills of the one container to talk about: the alert's container (none when it was not killed: the alert is
 * about another container, see ofNamedContainer), else the most frequently killed one.
 */
export function focusContainer(kills: OomKill[], named: string | undefined): OomKill[] {
  const own = ofNamedContainer(kills, named, (k) => k.view.status.name);
  const name = [...countBy(own.map((k) => k.view.status.name))].sort((a, b) => b[1] - a[1])[0]?.[0];
  return own.filter((k) => k.view.status.name === name);
}

function countBy(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

export interface MemoryFacts {
  container: string;
  limitBytes: number | null;
  requestBytes: number | null;
  usageBytes: number | null;
  /** The namespace's LimitRange maximum for one container's memory, when there is one. */
  ceiling: ContainerCeiling | null;
  /** The focused pod's `vpaUpdates` annotation: what the Vertical Pod Autoscaler changed when it was created. */
  vpaUpdates: string | null;
  /** The runtime's own heap setting (-Xmx, MaxRAMPercentage, --max-old-space-size) when it does not fit the limit. */
  heap: HeapLimitReading | null;
  /** A limit written in milli-units ("512m"): the raise is to what was meant, not double a fraction of a byte. */
  typo: MemoryTypo | null;
  /** The most memory any node the pod may run on has for pods (allocatable): no limit above it can be backed. */
  largestNode: { name: string; bytes: number } | null;
  /** The kubelet's word that the node itself ran out of memory when the container was killed (system-oom.ts). */
  systemOom: SystemOom | null;
  evidence: Evidence[];
}

/** Limit, restarts, last kill and usage of the focused container across its pods (metrics of up to 3 pods). */
export async function memoryFacts(ctx: PlaybookContext, kills: OomKill[]): Promise<MemoryFacts> {
  const first = kills[0];
  const container = first?.view.status.name ?? '?';
  const limitBytes = parseQuantity(first?.view.spec?.resources?.limits?.memory);
  const requestBytes = parseQuantity(first?.view.spec?.resources?.requests?.memory);
  const evidence: Evidence[] = [];
  for (const k of kills.slice(0, 5)) {
    const s = k.view.status;
    const now = s.state?.waiting?.reason
      ? `now ${s.state.waiting.reason}`
      : s.state?.running
        ? 'running again'
        : 'terminated';
    evidence.push({
      kind: 'status',
      text: `${container} in pod ${podName(k.view.pod)} was OOMKilled at ${isoTime(k.finishedAt)} (exit code ${oomTermination(s)?.exitCode ?? '?'}), restart count ${s.restartCount}, ${now}`,
    });
  }
  if (kills.length > 5)
    evidence.push({ kind: 'status', text: `…and ${kills.length - 5} more pods with ${container} OOMKilled` });
  const limitText = limitBytes === null ? 'no memory limit' : `memory limit ${formatMemory(limitBytes)}`;
  const requestText = requestBytes === null ? '' : `, request ${formatMemory(requestBytes)}`;
  evidence.push({ kind: 'spec', text: `${container} has ${limitText}${requestText}` });
  const heap = heapAgainstLimit(first?.view.spec, limitBytes);
  if (heap) evidence.push({ kind: 'spec', text: heap.text });
  const typo = memoryUnitTypo(first?.view.spec);
  const typoText = typo?.field === 'limit' ? memoryTypoWords(container, typo) : null;
  if (typoText) evidence.push({ kind: 'spec', text: capitalized(typoText) });

  let usageBytes: number | null = null;
  for (const k of kills.slice(0, 3)) {
    const usage: ContainerUsage[] | null = await ctx.read(
      ctx.reader.podMetrics(k.view.pod.metadata?.namespace ?? 'default', podName(k.view.pod)),
      null,
    );
    const bytes = parseQuantity(usage?.find((u) => u.name === container)?.memory);
    if (bytes !== null) usageBytes = Math.max(usageBytes ?? 0, bytes);
  }
  if (usageBytes !== null) {
    const pct = limitBytes ? ` (${Math.round((usageBytes / limitBytes) * 100)}% of the limit)` : '';
    evidence.push({
      kind: 'metric',
      text: `${container} uses ${formatMemory(usageBytes)} now${pct}, right after its restart`,
    });
  }
  const namespace = first?.view.pod.metadata?.namespace ?? 'default';
  const ceiling = containerCeiling(await ctx.read(ctx.reader.listLimitRanges(namespace), []), 'memory');
  const vpaUpdates = first?.view.pod.metadata?.annotations?.vpaUpdates ?? null;
  const largestNode =
    limitBytes === null ? null : largestNodeFor(await ctx.read(ctx.reader.listNodes(), []), first?.view.pod);
  return {
    container,
    limitBytes,
    requestBytes,
    usageBytes,
    ceiling,
    vpaUpdates,
    heap,
    typo: typo?.field === 'limit' ? typo : null,
    largestNode,
    systemOom: limitBytes === null ? null : await systemOomOf(ctx, kills.slice(0, 3)),
    evidence,
  };
}

/** The node with the most allocatable memory among those the pod's nodeSelector and node affinity allow. */
function largestNodeFor(nodes: Node[], pod: Pod | undefined): { name: string; bytes: number } | null {
  let best: { name: string; bytes: number } | null = null;
  for (const node of nodes) {
    if (selectorBlocker(node, pod?.spec) !== null) continue;
    const bytes = parseQuantity(node.status?.allocatable?.memory);
    if (bytes !== null && (best === null || bytes > best.bytes)) best = { name: node.metadata?.name ?? '?', bytes };
  }
  return best;
}

const GI = 1024 ** 3;

/**
 * A raise no node can back: `wanted` above the largest node's allocatable memory. Capped at that node's whole Gi
 * below it when that is still a raise worth making (a tenth more); otherwise none, since the container already holds
 * about all a node has for pods.
 */
function nodeBound(
  largest: MemoryFacts['largestNode'],
  current: number,
  wanted: number,
): { amount: number; capped: boolean } | null {
  if (!largest || wanted <= largest.bytes) return { amount: wanted, capped: false };
  const cap = largest.bytes >= 2 * GI ? Math.floor(largest.bytes / GI) * GI : largest.bytes;
  return cap >= current * 1.1 ? { amount: cap, capped: true } : null;
}

/** The fix for the focused container: a set-memory-limit proposal, or the sentence to say instead of one. */
export interface MemoryLimitFix {
  action: ProposedAction | null;
  /** Why there is no button and what to change instead, or what bounds the button (an evidence line). */
  advice: string | null;
  /** The same in a few words, for the summary. */
  headline: string | null;
  /** The template already holds a higher limit than the pods predate: the rollout is what to look at. */
  rolloutPending?: boolean;
}

/**
 * set-memory-limit for the workload when its pod template defines the container; for a container an admission
 * webhook injected, the annotation its injector reads (no button: patching the template would change nothing).
 */
export function memoryLimitFix(facts: MemoryFacts, workload: Workload | null, namespace: string): MemoryLimitFix {
  if (facts.limitBytes === null) {
    // No limit was hit: the kernel killed it when its node (or the pods' cgroup) ran out of memory. A limit sized
    // from its request (usage at the kill is rarely known) could sit below what it uses and kill it sooner.
    const request =
      facts.requestBytes === null ? 'no memory request either' : `a request of ${formatMemory(facts.requestBytes)}`;
    return {
      action: null,
      advice: `${facts.container} has no memory limit and ${request}: no limit was hit; the kernel killed it when its node ran out of memory, with pods using more than they request. Set its memory request to what it really uses, so the scheduler stops overcommitting the node, then a limit above that; no limit is proposed, since one below its real usage would kill it sooner.`,
      headline: `No limit was hit: ${facts.container} has none, so its node ran out of memory. Set its memory request, then a limit, to what it really uses.`,
    };
  }
  if (facts.systemOom)
    return { action: null, ...systemOomWords(facts.systemOom, facts.container, formatMemory(facts.limitBytes)) };
  // A fixed heap larger than the doubled limit would fill it again: the limit holds the heap and what the runtime
  // uses beside it.
  const wanted = facts.typo
    ? (parseQuantity(facts.typo.intended) ?? 0)
    : Math.max(
        proposeMemoryLimit(facts.limitBytes, facts.usageBytes, facts.requestBytes),
        facts.heap?.neededBytes ?? 0,
      );
  const raise = raiseUnder(facts.ceiling, facts.limitBytes, wanted);
  if ('atCeiling' in raise) {
    const words = atCeilingWords(raise.atCeiling, facts.container, formatMemory(facts.limitBytes), 'memory');
    return { action: null, ...words };
  }
  const ceiling = raise.cappedBy;
  const bound = nodeBound(facts.largestNode, facts.limitBytes, raise.amount);
  const largest = facts.largestNode;
  if (!bound && largest) {
    const has = formatMemory(facts.limitBytes);
    const node = `${formatMemory(largest.bytes)} allocatable on ${largest.name}`;
    return {
      action: null,
      advice: `${facts.container} already has a memory limit of ${has}, about all the memory the largest node it may run on has for pods (${node}): a higher limit cannot be backed by a node, it would only let the container push its node into memory pressure and evictions. Find what makes it grow (a leak, a cache, its heap settings), or run it on nodes with more memory.`,
      headline: `${facts.container}'s limit (${has}) is already about all the memory the largest node it may run on has for pods (${node}): no raise is proposed; find what makes it grow, or use nodes with more memory.`,
    };
  }
  const nodeCapped = bound?.capped === true && largest ? largest : null;
  const limit = nodeCapped ? formatMemory(bound?.amount ?? wanted) : ceiling ? ceiling.value : formatMemory(wanted);
  const ref = workloadRef(workload);
  if (!workload || !ref) return { action: null, ...unpatchableLimitWords(workload, facts.container, 'memory', limit) };
  if (!templateDefines(workload, facts.container)) {
    return {
      action: null,
      advice: injectedLimitAdvice(workload, facts.container, limit, 'memory'),
      headline: `${facts.container} is not in the pod template (injected at admission), so no template patch is offered.`,
    };
  }
  const ahead = raisedInTemplate(workload, facts.container, 'memory', facts.limitBytes);
  if (ahead) {
    return {
      action: null,
      ...templateAheadWords(
        workload,
        facts.container,
        ahead,
        formatMemory(facts.limitBytes),
        facts.vpaUpdates,
        'memory',
      ),
    };
  }
  const from = facts.typo ? `"${facts.typo.written}"` : formatMemory(facts.limitBytes);
  return {
    action: {
      kind: 'set-memory-limit',
      title: `Raise ${facts.container} memory limit ${from} → ${limit} on ${ref}${nodeCapped ? ` (node ${nodeCapped.name}'s allocatable memory)` : ceiling ? ` (LimitRange ${ceiling.limitRange}'s maximum)` : ''}`,
      params: { namespace, workload: ref, container: facts.container, limit },
      risk: 'low',
    },
    advice: nodeCapped
      ? `The raise stops at ${limit}: ${formatMemory(wanted)} is more than any node it may run on has for pods (${formatMemory(nodeCapped.bytes)} allocatable on ${nodeCapped.name}, the largest). If ${facts.container} is OOM-killed at ${limit} too, it needs nodes with more memory or to use less.`
      : ceiling
        ? `The raise stops at ${ceiling.value}, the most LimitRange ${ceiling.limitRange} allows per container (${formatMemory(wanted)} would be refused when the pods are created); if ${facts.container} is OOM-killed at ${ceiling.value} too, the LimitRange must allow more.`
        : null,
    headline: null,
  };
}
