import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMemoryChartForDiagnosis } from '../../src/charts/diagnosis-chart.js';
import { type ObjectSource, parseSelector, startDemoPrometheus } from '../../src/demo/prometheus-api.js';
import { MedicError } from '../../src/errors.js';
import { fetchMemoryHistory, queryRange } from '../../src/prometheus/client.js';
import type { Diagnosis } from '../../src/types.js';

const MiB = 1024 * 1024;

function pod(namespace: string, name: string, containers: [string, string][]) {
  return {
    metadata: { namespace, name },
    spec: { containers: containers.map(([n, limit]) => ({ name: n, resources: { limits: { memory: limit } } })) },
  };
}

function series(namespace: string, podName: string, container: string, values: string[]) {
  return {
    metric: 'container_memory_working_set_bytes',
    labels: { namespace, pod: podName, container },
    intervalSeconds: 60,
    values,
  };
}

const ramp = (from: number, to: number) => Array.from({ length: 30 }, (_, i) => `${from + ((to - from) * i) / 29}Mi`);

// A fake of the sandbox store's read interface: plain data, no behaviour of ours is replaced.
const objects: Record<string, unknown[]> = {
  'v1/Pod': [
    pod('ads', 'ad-server-7c9d8f6b5-x2klp', [['ad-server', '256Mi']]),
    pod('prod', 'proxy-6d5f8b7c9-4kq9z', [
      ['proxy', '1Gi'],
      ['consul-client', '200Mi'],
    ]),
    pod('prod', 'proxy-6d5f8b7c9-m7t2x', [
      ['proxy', '1Gi'],
      ['consul-client', '200Mi'],
    ]),
    pod('prod', 'proxy-gateway-84c6d5f7b9-z8x7c', [['consul-client', '300Mi']]),
  ],
  'sandbox.medic.dev/v1/MetricSeries': [
    series('ads', 'ad-server-7c9d8f6b5-x2klp', 'ad-server', ramp(140, 255)),
    series('prod', 'proxy-6d5f8b7c9-4kq9z', 'consul-client', ramp(100, 199)),
    series('prod', 'proxy-6d5f8b7c9-m7t2x', 'consul-client', ramp(90, 150)),
    series('prod', 'proxy-gateway-84c6d5f7b9-z8x7c', 'consul-client', ramp(250, 290)),
  ],
};
const source: ObjectSource = { list: (apiVersion, kind) => objects[`${apiVersion}/${kind}`] ?? [] };

let prometheus: { url: string; close(): Promise<void> };
beforeAll(async () => {
  prometheus = await startDemoPrometheus(source);
});
afterAll(async () => {
  await prometheus.close();
});

function oomDiagnosis(overrides: Partial<Diagnosis>): Diagnosis {
  return {
    alert: { fingerprint: '5a1c0e9d7b3f2a61', alertname: 'KubeContainerOOMKilled', status: 'firing' },
    playbook: 'oom-killed',
    target: {
      kind: 'Pod',
      namespace: 'ads',
      name: 'ad-server-7c9d8f6b5-x2klp',
      workload: { kind: 'Deployment', name: 'ad-server' },
    },
    rootCause: { code: 'OOM_LIMIT', summary: 'killed by its 256Mi limit', confidence: 'high' },
    evidence: [],
    actions: [
      {
        kind: 'set-memory-limit',
        title: 'Raise ad-server limit to 512Mi',
        params: { namespace: 'ads', workload: 'Deployment/ad-server', container: 'ad-server', limit: '512Mi' },
        risk: 'low',
      },
    ],
    partial: false,
    ...overrides,
  };
}

describe('the demo Prometheus API and the Prometheus client', () => {
  it('returns the last hour of a container’s memory with its limit from the pod spec', async () => {
    const history = await fetchMemoryHistory(
      prometheus.url,
      { namespace: 'ads', pod: 'ad-server-7c9d8f6b5-x2klp', container: 'ad-server' },
      60,
    );
    expect(history?.limitBytes).toBe(256 * MiB);
    expect(history?.series.length).toBeGreaterThan(20);
    const peak = Math.max(...(history?.series.map((s) => s.bytes) ?? []));
    expect(peak).toBe(255 * MiB);
    // Samples are time-ordered and end near now.
    const last = history?.series.at(-1)?.t ?? 0;
    expect(Date.now() - last).toBeLessThan(60_000);
  });

  it('picks the pod that came closest to its limit when charting a whole workload', async () => {
    const history = await fetchMemoryHistory(
      prometheus.url,
      { namespace: 'prod', podRegex: 'proxy-[a-z0-9]+-[a-z0-9]{5}', container: 'consul-client' },
      30,
    );
    expect(history?.pod).toBe('proxy-6d5f8b7c9-4kq9z');
    expect(history?.limitBytes).toBe(200 * MiB);
  });

  it('returns null when Prometheus has no samples for the container', async () => {
    const history = await fetchMemoryHistory(prometheus.url, { namespace: 'ads', pod: 'nope', container: 'x' }, 60);
    expect(history).toBeNull();
  });

  it('answers a query it cannot run with a Prometheus error the client reports', async () => {
    const now = Date.now();
    const call = queryRange(prometheus.url, 'sum(rate(x[5m]))', { startMs: now - 60_000, endMs: now, stepSeconds: 15 });
    await expect(call).rejects.toThrow(/bad_data/);
    const tooFine = queryRange(prometheus.url, 'up', { startMs: now - 86_400_000, endMs: now, stepSeconds: 1 });
    await expect(tooFine).rejects.toThrow(/maximum resolution/);
  });

  it('reports an unreachable Prometheus as UNAVAILABLE', async () => {
    const call = fetchMemoryHistory('http://127.0.0.1:9', { namespace: 'a', pod: 'b', container: 'c' }, 60);
    await expect(call).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(call).rejects.toBeInstanceOf(MedicError);
  });

  it('parses plain selectors and rejects expressions', () => {
    expect(parseSelector('m{a="x",b=~"y.*", c!="z\\"q"}')).toEqual({
      metric: 'm',
      matchers: [
        { name: 'a', op: '=', value: 'x' },
        { name: 'b', op: '=~', value: 'y.*' },
        { name: 'c', op: '!=', value: 'z"q' },
      ],
    });
    expect(parseSelector('up')).toEqual({ metric: 'up', matchers: [] });
    expect(parseSelector('rate(m[5m])')).toBeNull();
    expect(parseSelector('m{a=x}')).toBeNull();
  });
});

describe('buildMemoryChartForDiagnosis', () => {
  it('charts the OOMKilled container of the diagnosed pod', async () => {
    const chart = await buildMemoryChartForDiagnosis(oomDiagnosis({}), { prometheusUrl: prometheus.url });
    expect(chart?.filename).toBe('memory-ad-server-7c9d8f6b5-x2klp-ad-server.png');
    expect(chart?.title).toContain('ads/ad-server-7c9d8f6b5-x2klp');
    expect(chart?.png.subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('charts the worst pod of the workload for a sidecar diagnosis, not a similarly named one', async () => {
    const diagnosis = oomDiagnosis({
      target: { kind: 'Service', namespace: 'prod', name: 'proxy' },
      rootCause: { code: 'SIDECAR_OOM_IDENTITY_CHURN', summary: 'consul-client OOM', confidence: 'high' },
      actions: [
        {
          kind: 'set-memory-limit',
          title: 'Raise consul-client to 500Mi',
          params: { namespace: 'prod', workload: 'Deployment/proxy', container: 'consul-client', limit: '500Mi' },
          risk: 'low',
        },
      ],
    });
    const chart = await buildMemoryChartForDiagnosis(diagnosis, { prometheusUrl: prometheus.url });
    expect(chart?.title).toContain('prod/proxy-6d5f8b7c9-4kq9z');
  });

  it('makes no chart for other root causes, without PROMETHEUS_URL, or when Prometheus is down', async () => {
    const rollout = oomDiagnosis({ rootCause: { code: 'UNSAFE_ROLLOUT', summary: 's', confidence: 'high' } });
    expect(await buildMemoryChartForDiagnosis(rollout, { prometheusUrl: prometheus.url })).toBeNull();
    expect(await buildMemoryChartForDiagnosis(oomDiagnosis({}), { prometheusUrl: undefined })).toBeNull();
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    const down = await buildMemoryChartForDiagnosis(oomDiagnosis({}), { prometheusUrl: 'http://127.0.0.1:9', logger });
    expect(down).toBeNull();
    expect(warnings).toHaveLength(1);
  });
});
