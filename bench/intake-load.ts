/**
 * The HTTP load generator of bench:intake, run as its own process (bench/intake.ts spawns it) so that building
 * payloads and parsing responses does not share the measured server's event loop. Sends realistic 10-alert
 * Alertmanager payloads (one group, ten pods) whose fingerprints were never sent before, with autocannon.
 * Usage: node --import tsx bench/intake-load.ts '<json options>'; prints autocannon's result as one JSON line.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  alertsPerPayload: number;
  /** Requests per second over all connections; absent: as fast as the server answers. */
  overallRate?: number;
}

export interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

interface CannonRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

const SCENARIO = join(import.meta.dirname, '../../shared/scenarios/oom-limit/alert.json');

/** Payload texts with unique fingerprints: a random 40-bit base per process, then a counter. */
export function payloadFactory(alertsPerPayload: number): () => string {
  const template = JSON.parse(readFileSync(SCENARIO, 'utf8')) as { alerts: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;
  const base = template.alerts[0] as { labels: Record<string, string> };
  let counter = randomInt(2 ** 40) * 2 ** 12;
  return () => {
    const alerts = Array.from({ length: alertsPerPayload }, () => {
      const n = counter++;
      return {
        ...base,
        labels: { ...base.labels, pod: `ad-server-7c9d8f6b5-${n.toString(36)}` },
        fingerprint: n.toString(16).padStart(16, '0'),
        startsAt: '2026-11-20T03:12:41.234Z',
      };
    });
    return JSON.stringify({ ...template, alerts });
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  const autocannon = createRequire(import.meta.url)('autocannon') as (
    options: Record<string, unknown>,
  ) => Promise<CannonResult>;
  const payloadText = payloadFactory(options.alertsPerPayload);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: CannonRequest) => ({ ...request, body: payloadText() }),
      },
    ],
  });
  const { requests, latency, non2xx, errors, timeouts, duration } = result;
  process.stdout.write(
    `${JSON.stringify({ requests, latency, '2xx': result['2xx'], non2xx, errors, timeouts, duration })}\n`,
  );
}

if (process.argv[1] === import.meta.filename) await main();
