/**
 * `npm run bench:intake`: Alertmanager intake throughput, side by side in one process on this machine.
 *   (a) a bare express endpoint that parses the same JSON and answers 202 (the HTTP ceiling),
 *   (b) raw BullMQ addBulk of the same alerts, as many callers in flight as HTTP connections (the queue ceiling),
 *   (c) Medic's intake end to end (startMedic, role web): token-free webhook → validate → enqueue → 202,
 *       at full speed and at half of its peak rate (the latency bar).
 * Every request carries 10 alerts with fresh fingerprints, as a real alert storm would. Prints one JSON object.
 * Bar: c/b ≥ 0.8 and p99 ≤ 25 ms at half of (c)'s peak rate.
 * Env: BENCH_ROUNDS (default 3, interleaved; medians reported), BENCH_DURATION (s per run, default 5),
 * BENCH_CONNECTIONS (default 16). Redis: a private redis-server it starts
 * (no persistence, like a default install), flushed between runs so each starts from an empty database.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import express from 'express';
import { toAlertEvents, webhookPayloadSchema } from '../src/alertmanager/payload.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { startMedic } from '../src/main.js';
import { alertJobId } from '../src/queue/job-ids.js';
import { createRedisConnection } from '../src/store/redis.js';
import { PrivateRedis, redisConfig } from '../test/helpers/redis.js';

interface CannonResult {
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
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ALERTS_PER_PAYLOAD = 10;

const template = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../shared/scenarios/oom-limit/alert.json'), 'utf8'),
) as { alerts: Record<string, unknown>[] } & Record<string, unknown>;
let counter = 0;
/** A realistic 10-alert payload (one group, ten pods) with fingerprints never sent before. */
function payloadText(): string {
  const base = template.alerts[0] as { labels: Record<string, string> };
  const alerts = Array.from({ length: ALERTS_PER_PAYLOAD }, () => {
    const n = counter++;
    return {
      ...base,
      labels: { ...base.labels, pod: `ad-server-7c9d8f6b5-${n.toString(36)}` },
      fingerprint: n.toString(16).padStart(16, '0'),
      startsAt: '2026-11-20T03:12:41.234Z',
    };
  });
  return JSON.stringify({ ...template, alerts });
}

async function load(url: string, extra: Record<string, unknown> = {}): Promise<CannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: CannonRequest) => ({ ...request, body: payloadText() }),
      },
    ],
    ...extra,
  });
}

function summarise(result: CannonResult) {
  const failed = result.non2xx + result.errors + result.timeouts;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    alertsPerSecond: Math.round(result.requests.average * ALERTS_PER_PAYLOAD),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failedRequests: failed,
  };
}

async function benchExpress(): Promise<ReturnType<typeof summarise>> {
  const app = express();
  app.post('/alertmanager', express.json({ limit: '5mb' }), (_req, res) => {
    res.status(202).json({ accepted: ALERTS_PER_PAYLOAD, duplicates: 0 });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const result = await load(`http://127.0.0.1:${port}/alertmanager`);
  server.closeAllConnections();
  server.close();
  return summarise(result);
}

const baseEvents = toAlertEvents(webhookPayloadSchema.parse(JSON.parse(payloadText())), Date.now());
/** The same alerts as the HTTP payloads, already parsed: (b) measures BullMQ and Redis only. */
function freshEvents() {
  return baseEvents.map((event) => {
    const n = counter++;
    return {
      ...event,
      alert: { ...event.alert, fingerprint: n.toString(16).padStart(16, '0') },
      receivedAt: Date.now(),
    };
  });
}

async function benchAddBulk(
  url: string,
  seconds = DURATION,
): Promise<{ alertsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const connection = createRedisConnection(redisConfig(url), 'producer');
  const queue = new Queue('alerts', { connection, prefix: 'bench-raw' });
  await queue.waitUntilReady();
  const latencies: number[] = [];
  let alerts = 0;
  const deadline = performance.now() + seconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const events = freshEvents();
      await queue.addBulk(events.map((data) => ({ name: data.alert.status, data, opts: { jobId: alertJobId(data) } })));
      latencies.push(performance.now() - started);
      alerts += events.length;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, caller));
  const elapsed = (performance.now() - started) / 1000;
  await queue.close();
  connection.disconnect();
  latencies.sort((x, y) => x - y);
  const at = (q: number) => Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 100) / 100;
  return { alertsPerSecond: Math.round(alerts / elapsed), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function benchMedic(url: string) {
  const config = loadConfig({ PORT: '0', REDIS_URL: url, MEDIC_QUEUE_PREFIX: 'bench-medic', LOG_LEVEL: 'silent' });
  const medic = await startMedic({
    config,
    role: 'web',
    host: '127.0.0.1',
    logger: createLogger('silent'),
    overrides: { kube: null },
  });
  const target = `${medic.url}/alertmanager`;
  await load(target, { duration: 2 }); // warm-up: JIT, script loading
  const peak = summarise(await load(target));
  const halfRate = Math.max(1, Math.round(peak.requestsPerSecond / 2));
  const half = summarise(await load(target, { overallRate: halfRate }));
  await medic.stop();
  return { peak, half: { ...half, requestsPerSecondTarget: halfRate } };
}

interface Round {
  a: ReturnType<typeof summarise>;
  b: Awaited<ReturnType<typeof benchAddBulk>>;
  c: Awaited<ReturnType<typeof benchMedic>>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const privateRedis = await PrivateRedis.start();
  const url = privateRedis.url;
  const flush = async () => {
    const redis = createRedisConnection(redisConfig(url), 'store');
    await redis.flushdb();
    redis.disconnect();
  };
  const loadBefore = loadavg();
  try {
    await benchAddBulk(url, 2).then(flush); // warm-up of (b), as (c) has its own
    const rounds: Round[] = [];
    // Interleaved rounds: on a shared machine, load from other processes hits a, b and c alike.
    for (let round = 0; round < ROUNDS; round++) {
      const a = await benchExpress();
      const b = await benchAddBulk(url);
      await flush();
      const c = await benchMedic(url);
      await flush();
      rounds.push({ a, b, c });
    }
    const pick = (f: (r: Round) => number) => round2(median(rounds.map(f)));
    const cOverB = pick((r) => r.c.peak.alertsPerSecond / r.b.alertsPerSecond);
    const halfP99 = pick((r) => r.c.half.p99Ms);
    const report = {
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAverage1m: { before: loadBefore[0], after: loadavg()[0] },
      },
      settings: {
        rounds: ROUNDS,
        secondsPerRun: DURATION,
        connections: CONNECTIONS,
        alertsPerPayload: ALERTS_PER_PAYLOAD,
      },
      medians: {
        a_bareExpress: { alertsPerSecond: pick((r) => r.a.alertsPerSecond), p99Ms: pick((r) => r.a.p99Ms) },
        b_rawAddBulk: { alertsPerSecond: pick((r) => r.b.alertsPerSecond), p99Ms: pick((r) => r.b.p99Ms) },
        c_medicIntake: {
          alertsPerSecond: pick((r) => r.c.peak.alertsPerSecond),
          p50Ms: pick((r) => r.c.peak.p50Ms),
          p99Ms: pick((r) => r.c.peak.p99Ms),
        },
        c_atHalfPeak: { p50Ms: pick((r) => r.c.half.p50Ms), p99Ms: halfP99 },
        c_over_a: pick((r) => r.c.peak.alertsPerSecond / r.a.alertsPerSecond),
        c_over_b: cOverB,
      },
      bar: { c_over_b_at_least_0_8: cOverB >= 0.8, p99_at_half_peak_at_most_25ms: halfP99 <= 25 },
      rounds: rounds.map((r) => ({
        a_bareExpress: r.a,
        b_rawAddBulk: r.b,
        c_medicIntake: r.c.peak,
        c_atHalfPeak: r.c.half,
        c_over_a: round2(r.c.peak.alertsPerSecond / r.a.alertsPerSecond),
        c_over_b: round2(r.c.peak.alertsPerSecond / r.b.alertsPerSecond),
      })),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await privateRedis.stop();
  }
}

await main();
