/**
 * CPU facts of one container for CPU_THROTTLING: its limit and request, its usage (metrics.k8s.io, and Prometheus
 * when PROMETHEUS_URL is set), the throttled share the alert carries, and the set-cpu-limit proposal with its reason.
 */
import type { Pod, Workload } from '../kube/reader.js';
import { type CpuHistory, fetchCpuHistory } from '../prometheus/cpu.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity, proposeCpuLimit } from '../quantity.js';
import type { Evidence, ProposedAction } from '../types.js';
import { atCeilingWords, type ContainerCeiling, containerCeiling, raiseUnder } from './admission.js';
import { injectedLimitAdvice, raisedInTemplate, templateAheadWords, templateDefines } from './injected-sidecars.js';
import type { PlaybookContext } from './playbook.js';
import { containerSpec, podName, podNamespace, workloadRef } from './pods.js';

/** How many pods' metrics are read: enough to see whether the throttling is general, few enough to stay fast. */
const METRIC_PODS = 3;

export interface AlertShare {
  /** 0..1, or null when the alert does not carry it or carries something that is not a number. */
  share: number | null;
  /** The text found where the share should be, when it is not a number (e.g. "NaN", an unrendered template). */
  unusable?: string;
}

/**
 * The throttled share CPUThrottlingHigh carries: Alertmanager sends no sample value, but the rule's description
 * starts with it ("71.43% throttling of CPU in namespace …", `$value | humanizePercentage`).
 */
export function alertThrottledShare(annotations: Record<string, string>): AlertShare {
  for (const text of [annotations.description, annotations.message, annotations.summary]) {
    const m = /(\S+)\s*%\s+throttling/i.exec(text ?? '');
    if (!m?.[1]) continue;
    const pct = Number(m[1]);
    return Number.isFinite(pct) && pct >= 0 ? { share: pct / 100 } : { share: null, unusable: m[1] };
  }
  return { share: null };
}

export const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** `1500m`, or `2 cores` for whole cores, as people say CPU in prose (params keep the quantity form). */
export const cpuWords = (millis: number) =>
  millis % 1000 === 0 ? `${millis / 1000} core${millis === 1000 ? '' : 's'}` : `${millis}m`;

export interface CpuFacts {
  container: string;
  limitMillis: number | null;
  requestMillis: number | null;
  /** The highest current usage among the pods read (metrics.k8s.io), and the peak of the last hour (Prometheus). */
  usageMillis: number | null;
  history: CpuHistory | null;
  evidence: Evidence[];
  /** Prometheus was asked and did not answer. */
  historyFailed: boolean;
  /** The namespace's LimitRange maximum for one container's CPU, when there is one. */
  ceiling: ContainerCeiling | null;
  /** The first pod's `vpaUpdates` annotation: what the Vertical Pod Autoscaler changed when it was created. */
  vpaUpdates: string | null;
}

/** Limit, request and usage of `container` across the first pods, with evidence lines for each. */
export async function cpuFacts(ctx: PlaybookContext, pods: Pod[], container: string): Promise<CpuFacts> {
  const spec = pods.map((p) => containerSpec(p, container)).find(Boolean);
  const limitMillis = parseCpuMillis(spec?.resources?.limits?.cpu);
  const requestMillis = parseCpuMillis(spec?.resources?.requests?.cpu);
  const memLimit = parseQuantity(spec?.resources?.limits?.memory);
  const evidence: Evidence[] = [
    {
      kind: 'spec',
      text: `${container} has ${limitMillis === null ? 'no CPU limit' : `CPU limit ${cpuWords(limitMillis)}`}, ${requestMillis === null ? 'no CPU request' : `request ${cpuWords(requestMillis)}`}`,
    },
  ];
  let usageMillis: number | null = null;
  for (const pod of pods.slice(0, METRIC_PODS)) {
    const usage = await ctx.read(ctx.reader.podMetrics(podNamespace(pod), podName(pod)), null);
    const u = usage?.find((c) => c.name === container);
    const cpu = parseCpuMillis(u?.cpu);
    if (cpu === null) continue;
    usageMillis = Math.max(usageMillis ?? 0, cpu);
    const ofLimit = limitMillis ? ` (${Math.round((cpu / limitMillis) * 100)}% of its limit)` : '';
    const mem = parseQuantity(u?.memory);
    // Memory is shown so nobody reads a high-but-unkilled working set as the cause: only an OOM kill would be.
    const memText =
      mem === null
        ? ''
        : `; memory ${formatMemory(mem)}${memLimit ? ` of ${formatMemory(memLimit)}` : ''} (not OOM-killed, so not the cause)`;
    evidence.push({
      kind: 'metric',
      text: `${container} in pod ${podName(pod)} uses ${formatCpu(cpu)} CPU${ofLimit}${memText}`,
    });
  }
  const first = pods[0];
  let history: CpuHistory | null = null;
  let historyFailed = false;
  if (ctx.prometheusUrl && first) {
    try {
      history = await fetchCpuHistory(
        ctx.prometheusUrl,
        { namespace: podNamespace(first), pod: podName(first), container },
        { signal: ctx.signal, now: ctx.now },
      );
      evidence.push({ kind: 'metric', text: historyText(container, podName(first), history, limitMillis) });
    } catch (error) {
      historyFailed = true;
      ctx.logger.warn({ err: error }, 'Prometheus query failed; diagnosing without CPU history');
      evidence.push({
        kind: 'metric',
        text: `Prometheus query failed, diagnosis made without CPU history: ${(error as Error).message}`,
      });
    }
  }
  const ranges = first ? await ctx.read(ctx.reader.listLimitRanges(podNamespace(first)), []) : [];
  const ceiling = containerCeiling(ranges, 'cpu');
  const vpaUpdates = first?.metadata?.annotations?.vpaUpdates ?? null;
  return { container, limitMillis, requestMillis, usageMillis, history, evidence, historyFailed, ceiling, vpaUpdates };
}

function historyText(container: string, pod: string, h: CpuHistory, limitMillis: number | null): string {
  const parts = [
    h.throttledShare === null
      ? 'no CFS periods recorded in the last 5 minutes'
      : `${percent(h.throttledShare)} of CFS periods throttled over the last 5 minutes`,
    h.usageMillis === null ? 'no usage samples' : `usage ${formatCpu(h.usageMillis)} now`,
  ];
  if (h.peakUsageMillis !== null) {
    const ofLimit = limitMillis ? ` (${Math.round((h.peakUsageMillis / limitMillis) * 100)}% of the limit)` : '';
    parts.push(`peak ${formatCpu(h.peakUsageMillis)} in the last hour${ofLimit}`);
  }
  return `Prometheus, ${container} in pod ${pod}: ${parts.join(', ')}`;
}

/** The raised CPU limit for the focused container: a set-cpu-limit proposal, or the sentence to say instead of one. */
export interface CpuLimitFix {
  /** The limit proposed, in millicores. */
  proposedMillis: number;
  action: ProposedAction | null;
  /** Why this number (with the action), or what to change instead of a template patch (without it). */
  why: string;
  /** Without the action: the same in a few words, for the summary. */
  headline?: string;
  /** The template already holds a higher limit than the pods run with: the rollout is what to look at. */
  rolloutPending?: boolean;
}

/**
 * set-cpu-limit with the reason for its number; for a container an admission webhook injected, the annotation its
 * injector reads instead (patching the template would change nothing). Null without a limit to raise or a workload.
 */
export function cpuLimitFix(facts: CpuFacts, workload: Workload | null, namespace: string): CpuLimitFix | null {
  const ref = workloadRef(workload);
  if (!workload || !ref || facts.limitMillis === null) return null;
  const usage = Math.max(facts.usageMillis ?? 0, facts.history?.peakUsageMillis ?? 0) || null;
  const wanted = proposeCpuLimit(facts.limitMillis, usage);
  const raise = raiseUnder(facts.ceiling, facts.limitMillis, wanted);
  if ('atCeiling' in raise) {
    const words = atCeilingWords(raise.atCeiling, facts.container, cpuWords(facts.limitMillis), 'cpu');
    return { proposedMillis: wanted, action: null, why: words.advice, headline: words.headline };
  }
  const ceiling = raise.cappedBy;
  const proposed = raise.amount;
  const limit = formatCpu(proposed);
  if (!templateDefines(workload, facts.container)) {
    return {
      proposedMillis: proposed,
      action: null,
      why: injectedLimitAdvice(workload, facts.container, limit, 'cpu'),
      headline: `${facts.container} is not in the pod template (injected at admission), so no template patch is offered; raise it to ${cpuWords(proposed)} where it is injected.`,
    };
  }
  const ahead = raisedInTemplate(workload, facts.container, 'cpu', facts.limitMillis);
  if (ahead) {
    const words = templateAheadWords(
      workload,
      facts.container,
      ahead,
      cpuWords(facts.limitMillis),
      facts.vpaUpdates,
      'cpu',
    );
    const { advice: why, headline, rolloutPending } = words;
    return { proposedMillis: parseCpuMillis(ahead) ?? proposed, action: null, why, headline, rolloutPending };
  }
  const from = cpuWords(facts.limitMillis);
  const basis = ceiling
    ? `LimitRange ${ceiling.limitRange}'s maximum`
    : usage !== null && usage * 1.5 > facts.limitMillis * 2
      ? `1.5× the highest usage seen (${formatCpu(usage)})`
      : `2× the ${from} limit`;
  const why = `${cpuWords(proposed)} is ${basis}${ceiling ? ` (${formatCpu(wanted)} would be refused when the pods are created)` : ', rounded up'}: a throttled container's usage is capped at its limit and cannot show how much CPU it wants, so the limit is raised one reviewable step; if the throttled share stays above 25% after the rollout, raise it again. The request (${facts.requestMillis === null ? 'none' : cpuWords(facts.requestMillis)}) stays as it is, below the new limit, so scheduling does not change.`;
  return {
    proposedMillis: proposed,
    why: `Why ${cpuWords(proposed)}: ${why}`,
    action: {
      kind: 'set-cpu-limit',
      title: `Raise ${facts.container} CPU limit ${from} → ${cpuWords(proposed)} on ${ref} (${basis})`,
      params: { namespace, workload: ref, container: facts.container, limit },
      risk: 'low',
    },
  };
}
