/**
 * A small Prometheus HTTP API client: /api/v1/query_range for a container's memory usage (cAdvisor's working set,
 * what the OOM killer compares) and its limit (kube-state-metrics), and /api/v1/query for one-number answers
 * (a container's throttled share and CPU usage, see ./cpu.ts).
 */
import { z } from 'zod';
import type { MemorySample } from '../charts/memory-chart.js';
import { errorMessage, isPermanentStatus, MedicError } from '../errors.js';

const matrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});
const vectorSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});
const errorSchema = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });

export interface RangeSeries {
  labels: Record<string, string>;
  samples: MemorySample[];
}

export interface PrometheusCallOptions {
  signal?: AbortSignal;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
}

/** Quotes a label value for a PromQL matcher. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** POSTs a query to `path`; throws MedicError UNAVAILABLE when Prometheus cannot be reached or refuses it. */
async function post(
  prometheusUrl: string,
  path: 'api/v1/query' | 'api/v1/query_range',
  body: URLSearchParams,
  options: PrometheusCallOptions,
): Promise<{ response: Response; json: unknown }> {
  const url = new URL(path, prometheusUrl.endsWith('/') ? prometheusUrl : `${prometheusUrl}/`);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new MedicError('UNAVAILABLE', `Prometheus at ${url.origin} did not answer: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const json: unknown = await response.json().catch(() => null);
  const failed = errorSchema.safeParse(json);
  if (failed.success) {
    throw new MedicError(
      'UNAVAILABLE',
      `Prometheus refused the query (${failed.data.errorType}): ${failed.data.error}`,
      {
        status: response.status,
        permanent: isPermanentStatus(response.status),
      },
    );
  }
  return { response, json };
}

/** Runs a range query; throws MedicError UNAVAILABLE when Prometheus cannot be reached or refuses it. */
export async function queryRange(
  prometheusUrl: string,
  query: string,
  range: { startMs: number; endMs: number; stepSeconds: number },
  options: PrometheusCallOptions = {},
): Promise<RangeSeries[]> {
  const body = new URLSearchParams({
    query,
    start: String(range.startMs / 1000),
    end: String(range.endMs / 1000),
    step: `${range.stepSeconds}s`,
  });
  const { response, json } = await post(prometheusUrl, 'api/v1/query_range', body, options);
  const parsed = matrixSchema.safeParse(json);
  if (!response.ok || !parsed.success) {
    throw new MedicError('UNAVAILABLE', `Prometheus answered ${response.status} without a range-query result.`, {
      status: response.status,
    });
  }
  return parsed.data.data.result.map((r) => ({
    labels: r.metric,
    samples: r.values.map(([t, v]) => ({ t: Math.round(t * 1000), bytes: Number(v) })),
  }));
}

export interface InstantSample {
  labels: Record<string, string>;
  /** The sample's value; NaN and ±Inf (e.g. 0/0 from a counter that did not move) stay as they are. */
  value: number;
}

/** The one finite value of an aggregated query; null for no series, NaN (0/0) or ±Inf. */
export function singleValue(samples: InstantSample[]): number | null {
  const value = samples[0]?.value;
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Runs an instant query at `now` that must return a vector; throws MedicError UNAVAILABLE otherwise. */
export async function queryInstant(
  prometheusUrl: string,
  query: string,
  options: PrometheusCallOptions = {},
): Promise<InstantSample[]> {
  const body = new URLSearchParams({ query, time: String((options.now ?? Date.now)() / 1000) });
  const { response, json } = await post(prometheusUrl, 'api/v1/query', body, options);
  const parsed = vectorSchema.safeParse(json);
  if (!response.ok || !parsed.success) {
    throw new MedicError('UNAVAILABLE', `Prometheus answered ${response.status} without an instant-query vector.`, {
      status: response.status,
    });
  }
  return parsed.data.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

export interface MemorySelector {
  namespace: string;
  container: string;
  /** One pod by name … */
  pod?: string;
  /** … or a regular expression over pod names (every pod of a workload); the worst pod is charted. */
  podRegex?: string;
}

export interface MemoryHistory {
  namespace: string;
  pod: string;
  container: string;
  series: MemorySample[];
  limitBytes: number | null;
}

/**
 * The container's memory working set over the last `rangeMinutes`, with its limit. With `podRegex`,
 * the pod whose usage peaked highest is chosen. Returns null when Prometheus has no samples for it.
 */
export async function fetchMemoryHistory(
  prometheusUrl: string,
  selector: MemorySelector,
  rangeMinutes: number,
  options: PrometheusCallOptions = {},
): Promise<MemoryHistory | null> {
  if (!selector.pod && !selector.podRegex) {
    throw new MedicError('BAD_REQUEST', 'Give a pod name or a pod regex to chart.', { field: 'pod' });
  }
  if (!(rangeMinutes > 0 && rangeMinutes <= 7 * 24 * 60)) {
    throw new MedicError('BAD_REQUEST', 'The range must be between 1 minute and 7 days.', { field: 'rangeMinutes' });
  }
  const podMatcher = selector.pod ? `pod=${promString(selector.pod)}` : `pod=~${promString(selector.podRegex ?? '')}`;
  const matchers = `namespace=${promString(selector.namespace)},${podMatcher},container=${promString(selector.container)}`;
  const endMs = (options.now ?? Date.now)();
  const range = {
    startMs: endMs - rangeMinutes * 60_000,
    endMs,
    stepSeconds: Math.max(15, Math.round((rangeMinutes * 60) / 120)),
  };
  const [usage, limits] = await Promise.all([
    queryRange(prometheusUrl, `container_memory_working_set_bytes{${matchers}}`, range, options),
    queryRange(prometheusUrl, `kube_pod_container_resource_limits{${matchers},resource="memory"}`, range, options),
  ]);
  const withData = usage.filter((s) => s.samples.length >= 2);
  if (withData.length === 0) return null;
  const peak = (s: RangeSeries) => Math.max(...s.samples.map((p) => p.bytes));
  const worst = withData.reduce((a, b) => (peak(b) > peak(a) ? b : a));
  const pod = worst.labels.pod ?? selector.pod ?? '';
  const limitSeries = limits.find((l) => l.labels.pod === pod) ?? limits[0];
  const lastLimit = limitSeries?.samples.at(-1)?.bytes;
  return {
    namespace: selector.namespace,
    pod,
    container: selector.container,
    series: worst.samples,
    limitBytes: lastLimit !== undefined && lastLimit > 0 ? lastLimit : null,
  };
}
