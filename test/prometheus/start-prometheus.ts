/**
 * A real Prometheus (Debian's `prometheus` package) serving series backfilled with `promtool tsdb
 * create-blocks-from openmetrics`, so the PromQL Medic sends is answered by the real query engine.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { promString } from '../../src/prometheus/client.js';
import { freePort } from '../support/ports.js';
import { spawnTracked } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';
export const PROMTOOL_BINARY = '/usr/bin/promtool';

/** Why the real-Prometheus tests cannot run here, or null when they can. */
export function prometheusMissing(): string | null {
  for (const binary of [PROMETHEUS_BINARY, PROMTOOL_BINARY]) {
    if (!existsSync(binary)) return `${binary} is not installed (apt-get install prometheus)`;
  }
  return null;
}

/** One series: its name, labels, and its value at each sample time (seconds since the epoch). */
export interface BackfillSeries {
  name: string;
  type: 'counter' | 'gauge';
  labels: Record<string, string>;
  value(timeSeconds: number): number;
}

export interface Backfill {
  series: BackfillSeries[];
  /** Sample times: from `startSeconds` to `endSeconds` every `stepSeconds` (a scrape interval). */
  startSeconds: number;
  endSeconds: number;
  stepSeconds: number;
}

/** The OpenMetrics text promtool reads: one family per metric name, samples in time order, `# EOF` last. */
export function openMetricsText(backfill: Backfill): string {
  const lines: string[] = [];
  const families = new Map<string, BackfillSeries[]>();
  for (const s of backfill.series) families.set(s.name, [...(families.get(s.name) ?? []), s]);
  for (const [name, members] of families) {
    const type = members[0]?.type ?? 'gauge';
    // OpenMetrics names a counter family without its `_total` suffix.
    lines.push(`# TYPE ${type === 'counter' ? name.replace(/_total$/, '') : name} ${type}`);
    for (const s of members) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${promString(v)}`)
        .join(',');
      for (let t = backfill.startSeconds; t <= backfill.endSeconds; t += backfill.stepSeconds)
        lines.push(`${name}{${labels}} ${s.value(t)} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** Backfills `backfill` into a fresh TSDB and serves it on a free port (no scraping). */
export async function startPrometheus(backfill: Backfill): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'medic-prom-'));
  try {
    await writeFile(join(dir, 'series.om'), openMetricsText(backfill));
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    await run(PROMTOOL_BINARY, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      join(dir, 'series.om'),
      join(dir, 'data'),
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prometheus = spawnTracked('prometheus', PROMETHEUS_BINARY, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    // Backfilled samples are older than "now": keep them however old the fixed test clock makes them.
    '--storage.tsdb.retention.time=100y',
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  try {
    await waitFor(
      async () => {
        if (!prometheus.isRunning()) throw new Error(`prometheus exited:\n${prometheus.output()}`);
        const response = await fetch(`${url}/-/ready`).catch(() => null);
        return response?.ok === true;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'Prometheus to be ready' },
    );
  } catch (error) {
    await prometheus.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      await prometheus.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
