/**
 * A Prometheus-compatible /api/v1/query_range for the demo, answered from the sandbox cluster:
 * `container_memory_working_set_bytes` from the snapshot's MetricSeries items and
 * `kube_pod_container_resource_limits` from the live pod specs, so Medic charts memory through the same
 * code path (PROMETHEUS_URL) as against a real Prometheus. Only plain selectors are understood.
 */
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { parseQuantity } from '../quantity.js';

/** The read side of the sandbox's object store. */
export interface ObjectSource {
  list(apiVersion: string, kind: string, namespace?: string): unknown[];
}

/** `apiVersion: sandbox.medic.dev/v1, kind: MetricSeries`: samples oldest first, the last one is "now". */
export interface MetricSeriesItem {
  metric: string;
  labels: Record<string, string>;
  intervalSeconds?: number;
  values: (string | number)[];
}

interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;

/** Parses `metric{a="b",c=~"d.*"}`; null for anything else (functions, operators). */
export function parseSelector(query: string): { metric: string; matchers: Matcher[] } | null {
  const m = SELECTOR.exec(query);
  if (!m?.[1]) return null;
  const body = m[2] ?? '';
  const matchers: Matcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < body.length) {
    const start = MATCHER.lastIndex;
    const mm = MATCHER.exec(body);
    if (!mm || MATCHER.lastIndex === start) return body.slice(start).trim() === '' ? { metric: m[1], matchers } : null;
    const value = (mm[3] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    matchers.push({ name: mm[1] ?? '', op: (mm[2] ?? '=') as Matcher['op'], value });
  }
  return { metric: m[1], matchers };
}

function matches(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every(({ name, op, value }) => {
    const actual = labels[name] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === '=~' ? re.test(actual) : !re.test(actual);
  });
}

interface Series {
  labels: Record<string, string>;
  /** Value at time t (ms), or undefined when there is no sample. */
  at(t: number): number | undefined;
}

type Obj = { metadata?: { name?: string; namespace?: string }; spec?: { containers?: unknown[] } };
type Container = { name?: string; resources?: { limits?: { memory?: string } } };

function usageSeries(source: ObjectSource, nowMs: number): Series[] {
  return (source.list('sandbox.medic.dev/v1', 'MetricSeries') as MetricSeriesItem[])
    .filter((s) => s.metric === 'container_memory_working_set_bytes' && Array.isArray(s.values))
    .map((s) => {
      const interval = (s.intervalSeconds ?? 60) * 1000;
      const values = s.values.map((v) => parseQuantity(v));
      const last = Math.floor(nowMs / interval) * interval;
      return {
        labels: { __name__: s.metric, ...s.labels },
        at: (t: number) => {
          // The latest sample at or before t, unless older than Prometheus' 5-minute lookback.
          const index = values.length - 1 - Math.max(0, Math.ceil((last - t) / interval));
          const sampledAt = last - (values.length - 1 - index) * interval;
          if (index < 0 || t - sampledAt > 300_000) return undefined;
          return values[index] ?? undefined;
        },
      };
    });
}

function limitSeries(source: ObjectSource): Series[] {
  return (source.list('v1', 'Pod') as Obj[]).flatMap((pod) =>
    ((pod.spec?.containers ?? []) as Container[]).flatMap((c) => {
      const bytes = parseQuantity(c.resources?.limits?.memory ?? '');
      if (bytes === null || !c.name) return [];
      const labels = {
        __name__: 'kube_pod_container_resource_limits',
        namespace: pod.metadata?.namespace ?? '',
        pod: pod.metadata?.name ?? '',
        container: c.name,
        resource: 'memory',
        unit: 'byte',
        job: 'kube-state-metrics',
      };
      return [{ labels, at: () => bytes }];
    }),
  );
}

function fail(res: Response, errorType: string, error: string): void {
  res.status(400).json({ status: 'error', errorType, error });
}

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const n = Number(value);
  if (Number.isFinite(n)) return n * 1000;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

function parseStep(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(value);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

export function createPrometheusApp(source: ObjectSource, now: () => number = Date.now): express.Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const handle = (req: Request, res: Response) => {
    const params = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    const selector = typeof params.query === 'string' ? parseSelector(params.query) : null;
    if (!selector) return fail(res, 'bad_data', 'the demo Prometheus understands only plain series selectors');
    const start = parseTime(params.start);
    const end = parseTime(params.end);
    const step = parseStep(params.step);
    if (start === null || end === null || end < start) return fail(res, 'bad_data', 'invalid start or end time');
    if (step === null || step <= 0 || (end - start) / step > 11_000) {
      return fail(res, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries; try a larger step');
    }
    const all = [...usageSeries(source, now()), ...limitSeries(source)];
    const wanted = all.filter((s) => s.labels.__name__ === selector.metric && matches(s.labels, selector.matchers));
    const result = wanted
      .map((s) => {
        const values: [number, string][] = [];
        for (let t = start; t <= end; t += step) {
          const v = s.at(t);
          if (v !== undefined) values.push([t / 1000, String(v)]);
        }
        return { metric: s.labels, values };
      })
      .filter((r) => r.values.length > 0);
    res.json({ status: 'success', data: { resultType: 'matrix', result } });
  };
  app.get('/api/v1/query_range', handle);
  app.post('/api/v1/query_range', handle);
  app.get('/-/ready', (_req, res) => {
    res.type('text').send('Prometheus Server is Ready.\n');
  });
  return app;
}

/** Serves the demo Prometheus API on 127.0.0.1:`port` (0 = any free port). */
export async function startDemoPrometheus(
  source: ObjectSource,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = createPrometheusApp(source);
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
