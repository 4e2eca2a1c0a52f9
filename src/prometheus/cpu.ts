/**
 * A container's CPU history from cAdvisor series: the share of CFS periods in which it was throttled and its CPU
 * usage, now and at its peak. CPUThrottlingHigh is written over the same counters (kubernetes-mixin
 * resource_alerts), so the share Medic reports is the one the alert measured.
 */
import { type InstantSample, type PrometheusCallOptions, promString, queryInstant } from './client.js';

export interface CpuSelector {
  namespace: string;
  pod: string;
  container: string;
}

export interface CpuHistory {
  /** Throttled periods / all periods over the last 5 minutes (0..1); null without samples or periods. */
  throttledShare: number | null;
  /** Millicores used now (5-minute rate) and at the highest point of the last hour; null without samples. */
  usageMillis: number | null;
  peakUsageMillis: number | null;
}

/** The PromQL Medic sends for one container, exported so a test can run each against a real Prometheus. */
export function cpuQueries(selector: CpuSelector): { throttledShare: string; usage: string; peakUsage: string } {
  const m = `namespace=${promString(selector.namespace)},pod=${promString(selector.pod)},container=${promString(selector.container)}`;
  const usage = `sum(rate(container_cpu_usage_seconds_total{${m}}[5m]))`;
  return {
    throttledShare: `sum(increase(container_cpu_cfs_throttled_periods_total{${m}}[5m])) / sum(increase(container_cpu_cfs_periods_total{${m}}[5m]))`,
    usage,
    // A subquery: the 5-minute rate evaluated every minute over the last hour, so a burst that ended is seen.
    peakUsage: `max_over_time(${usage}[1h:1m])`,
  };
}

/** The one finite value of an aggregated query; null for no series, NaN (0/0: no periods) or ±Inf. */
function single(samples: InstantSample[]): number | null {
  const value = samples[0]?.value;
  return value !== undefined && Number.isFinite(value) ? value : null;
}

const toMillis = (cores: number | null) => (cores === null ? null : Math.round(cores * 1000));

export async function fetchCpuHistory(
  prometheusUrl: string,
  selector: CpuSelector,
  options: PrometheusCallOptions = {},
): Promise<CpuHistory> {
  const q = cpuQueries(selector);
  const [share, usage, peak] = await Promise.all([
    queryInstant(prometheusUrl, q.throttledShare, options),
    queryInstant(prometheusUrl, q.usage, options),
    queryInstant(prometheusUrl, q.peakUsage, options),
  ]);
  return {
    throttledShare: single(share),
    usageMillis: toMillis(single(usage)),
    peakUsageMillis: toMillis(single(peak)),
  };
}
