/**
 * CPU_THROTTLING: a container throttled by its own CPU limit (kube-prometheus CPUThrottlingHigh: the share of CFS
 * periods in which the container ran out of quota). A container without a CPU limit has no CFS quota and cannot be
 * throttled by its own limit: that alert is answered UNKNOWN, saying so, never with a limit change.
 */

import { rolloutHold } from '../src/diagnosis/blocked.js';
import { alertThrottledShare, cpuFacts, cpuLimitFix, cpuWords, percent } from '../src/diagnosis/cpu.js';
import { isAboutPods, type Playbook } from '../src/diagnosis/playbook.js';
import { listNames, podName, unpatchableLimitWords } from '../src/diagnosis/pods.js';
import { namedTarget } from '../src/diagnosis/target.js';
import { formatCpu } from '../src/quantity.js';
import type { Evidence } from '../src/types.js';

/** CPUThrottlingHigh and custom rules named after throttling (ContainerCpuThrottled, …). */
const THROTTLING_ALERT = /throttl/i;

export const cpuThrottling: Playbook = {
  name: 'cpu-throttling',
  rootCauses: ['CPU_THROTTLING', 'UNKNOWN'],
  matches: (event) =>
    THROTTLING_ALERT.test(event.alert.labels.alertname ?? '') && namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const target = ctx.target;
    const container = target?.container;
    if (!isAboutPods(target) || !container || target.pods.length === 0) return null;
    const pods = target.pods.filter((p) => p.spec?.containers?.some((c) => c.name === container));
    const facts = await cpuFacts(ctx, pods, container);
    const alert = alertThrottledShare(ctx.event.alert.annotations);
    const evidence: Evidence[] = [];
    const where = `${container} in ${listNames(pods.map(podName), 3)}`;
    if (alert.share !== null) {
      evidence.push({
        kind: 'metric',
        text: `${ctx.event.alert.labels.alertname}: ${percent(alert.share)} of the CFS periods of ${where} were throttled (kube-prometheus alerts above 25%)`,
      });
    } else if (alert.unusable !== undefined) {
      evidence.push({
        kind: 'status',
        text: `The alert's throttled share "${alert.unusable}%" is not a number; the share is taken from Prometheus when it is set, else left out`,
      });
    }
    evidence.push(...facts.evidence);
    const share = facts.history?.throttledShare ?? alert.share;
    const partial = facts.historyFailed || (alert.unusable !== undefined && facts.history === null);

    if (facts.limitMillis === null) {
      return {
        rootCause: {
          code: 'UNKNOWN',
          summary: `${ctx.event.alert.labels.alertname} fired for ${where}, but ${container} has no CPU limit now, so it is not throttled by its own limit and raising a limit would change nothing. The alert may predate the removal of the limit (check the latest rollout), or the quota is set elsewhere (a pod-level limit, the runtime); look at CPU contention on the node.`,
          confidence: 'low',
        },
        evidence,
        actions: [],
        partial,
      };
    }

    const workload = target.workload;
    const namespace = target.namespace ?? workload?.namespace ?? 'default';
    const fix = cpuLimitFix(facts, workload, namespace);
    const limit = cpuWords(facts.limitMillis);
    const usage =
      facts.usageMillis === null
        ? ''
        : `, using ${formatCpu(facts.usageMillis)} (${Math.round((facts.usageMillis / facts.limitMillis) * 100)}% of it)`;
    const shareText = share === null ? '' : `: ${percent(share)} of its CFS periods are throttled`;
    evidence.push({
      kind: 'spec',
      text: fix?.why ?? unpatchableLimitWords(workload, facts.container, 'CPU', null).advice,
    });
    const hold = fix?.rolloutPending && workload ? await rolloutHold(ctx, workload) : null;
    if (hold) evidence.push(hold);
    const next = !fix ? '' : fix.action ? ` Raise the limit to ${cpuWords(fix.proposedMillis)}.` : ` ${fix.headline}`;
    const summary = `Container ${where} is throttled by its own CPU limit of ${limit}${usage}${shareText}, so requests wait for CPU time it is not allowed to use.${next}`;
    // High when the limit is visibly the ceiling (usage at it, or the share measured); medium on the alert alone.
    const pinned = facts.usageMillis !== null && facts.usageMillis >= facts.limitMillis * 0.8;
    return {
      rootCause: { code: 'CPU_THROTTLING', summary, confidence: pinned || facts.history ? 'high' : 'medium' },
      evidence,
      actions: fix?.action ? [fix.action] : [],
      partial,
    };
  },
};
