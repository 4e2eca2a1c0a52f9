/**
 * `npm run bench:intake`: Alertmanager intake throughput, side by side in one run on this machine.
 *   (a) a bare express endpoint that parses the same JSON and answers 202 (the HTTP ceiling),
 *   (b) raw BullMQ addBulk of the same alerts, one job per alert, as many callers in flight as HTTP
 *       connections (the queue ceiling),
 *   (c) Medic's intake end to end (startMedic, role web): token-free webhook → validate → enqueue → 202,
 *       at full speed and at half of its peak rate (the latency bar). Medic stores 8+ alerts arriving together
 *       as one batch job and a worker fans it out later (src/queue/alert-batcher.ts), so (c) also reports that
 *       deferred part: the peak run's batch jobs fanned out into per-alert jobs, in alerts/s.
 * Every request carries 10 alerts with fresh fingerprints, as a real alert storm would. The HTTP load generator
 * (autocannon, bench/intake-load.ts) runs in its own process so it does not share the server's event loop; (b)
 * runs in this process. Prints one JSON object.
 * Bar: c/b ≥ 0.8 and p99 ≤ 25 ms at half of (c)'s peak rate.
 * Env: BENCH_ROUNDS (default 3, interleaved; medians reported), BENCH_DURATION (s per run, default 5),
 * BENCH_CONNECTIONS (default 16). Redis: a private redis-server it starts
 * (no persistence, like a default install), flushed between runs so each starts from an empty database.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import express from 'express';
import { toAlertEvents, webhookPayloadSchema } from '../src/alertmanager/payload.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logger.js';
import { startMedic } from '../src/main.js';
import { isAlertBatch, type MedicQueues } from '../src/queue/index.js';
import { alertJobId } from '../src/queue/job-ids.js';
import { createRedisConnection } from '../src/store/redis.js';
import { redisConfig } from '../test/support/redis.js';
import { startPrivateRedis } from '../test/support/redis-server.js';
import { type CannonResult, type LoadOptions, payloadFactory } from './intake-load.js';

const execFileAsync = promisify(execFile);

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ALERTS_PER_PAYLOAD = 10;
const LOAD_SCRIPT = join(import.meta.dirname, 'intake-load.ts');

/** Runs the load generator (bench/intake-load.ts) in its own process against `url` and returns its result. */
async function load(url: string, extra: { durationS?: number; overallRate?: number } = {}): Promise<CannonResult> {
  const options: LoadOptions = {
    url,
    connections: CONNECTIONS,
    durationS: extra.durationS ?? DURATION,
    alertsPerPayload: ALERTS_PER_PAYLOAD,
    ...(extra.overallRate ? { overallRate: extra.overallRate } : {}),
  };
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(options)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as CannonResult;
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

const baseEvents = toAlertEvents(
  webhookPayloadSchema.parse(JSON.parse(payloadFactory(ALERTS_PER_PAYLOAD)())),
  Date.now(),
);
let counter = randomInt(2 ** 40) * 2 ** 12;
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
  await load(target, { durationS: 2 }); // warm-up: JIT, script loading
  await medic.queues.alerts.drain();
  const peak = summarise(await load(target));
  const fanOut = await measureFanOut(medic.queues);
  const halfRate = Math.max(1, Math.round(peak.requestsPerSecond / 2));
  const half = summarise(await load(target, { overallRate: halfRate }));
  await medic.stop();
  return { peak, fanOut, half: { ...half, requestsPerSecondTarget: halfRate } };
}

/**
 * The part of intake that Medic defers: the batch jobs the peak run stored, fanned out into per-alert jobs
 * as the worker does (`fanOutAlerts`, as many in flight as the default worker concurrency), timed. Reports
 * the jobs the peak run left so a reader can see nothing was skipped.
 */
async function measureFanOut(queues: MedicQueues) {
  const jobs = await queues.alerts.getJobs(['waiting']);
  const batches = jobs.flatMap((job) => (isAlertBatch(job.data) ? [job.data.batch] : []));
  const perAlertJobs = jobs.length - batches.length;
  let next = 0;
  let alerts = 0;
  let duplicates = 0;
  const inBatches = batches.reduce((n, batch) => n + batch.length, 0);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) {
        const result = await queues.fanOutAlerts(batch);
        alerts += result.accepted;
        duplicates += result.duplicates;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    batchJobs: batches.length,
    perAlertJobsWrittenAtIntake: perAlertJobs,
    alertsInBatches: inBatches,
    duplicates,
    alertsFannedOut: alerts,
    alertsPerSecond: Math.round(alerts / seconds),
  };
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
  const privateRedis = await startPrivateRedis({ aof: false });
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
        c_fanOutByWorker: { alertsPerSecond: pick((r) => r.c.fanOut.alertsPerSecond) },
        c_over_a: pick((r) => r.c.peak.alertsPerSecond / r.a.alertsPerSecond),
        c_over_b: cOverB,
      },
      bar: { c_over_b_at_least_0_8: cOverB >= 0.8, p99_at_half_peak_at_most_25ms: halfP99 <= 25 },
      rounds: rounds.map((r) => ({
        a_bareExpress: r.a,
        b_rawAddBulk: r.b,
        c_medicIntake: r.c.peak,
        c_atHalfPeak: r.c.half,
        c_fanOutByWorker: r.c.fanOut,
        c_over_a: round2(r.c.peak.alertsPerSecond / r.a.alertsPerSecond),
        c_over_b: round2(r.c.peak.alertsPerSecond / r.b.alertsPerSecond),
      })),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await privateRedis.close();
  }
}

await main();
