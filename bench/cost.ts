/**
 * bench:cost — what one alert costs Medic, webhook to posted Slack reply: CPU milliseconds of the Medic process,
 * Redis commands, Slack Web API calls and Kubernetes requests per alert, and the throughput one
 * `medic serve --role all` sustains. Sends BENCH_ALERTS scenario alerts (each its own group) at BENCH_RATE/s
 * (default: faster than one process drains, so it runs flat out), waits for every reply. CPU comes from
 * /proc/<pid>/stat (user + system), so it is far less sensitive to other load on the machine than latency.
 * Prints JSON. BENCH_CPU_PROF=<dir> also writes a V8 CPU profile of Medic there.
 */
import { readFileSync } from 'node:fs';
import { connect, type Redis } from '../test/support/redis.js';
import { delay, waitFor } from '../test/support/wait.js';
import { benchNodeArgs, startBenchStack } from './compiled.js';
import { freshAlert, loadScenarios, replyWatcher, webhookPoster } from './scenarios.js';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 600);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const TOP = Number(process.env.BENCH_TOP ?? 12);
const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

async function redisCommands(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1]!, Number(match[2]));
  return counts;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/** Mean durations from Medic's /metrics: alert jobs, Kubernetes requests (whole run, warm-up included). */
async function meanDurations(baseUrl: string) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const sum = (pattern: string) =>
    [...text.matchAll(new RegExp(`^${pattern}\\S* ([\\d.e+-]+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  const mean = (metric: string, filter = '') =>
    Number(((1000 * sum(`${metric}_sum${filter}`)) / Math.max(1, sum(`${metric}_count${filter}`))).toFixed(1));
  return {
    alertJob: mean('medic_job_duration_seconds', '\\{[^}]*queue="alerts"'),
    kubeRequest: mean('medic_kube_request_duration_seconds'),
  };
}

function perAlert(after: Map<string, number>, before: Map<string, number> | Record<string, number>, top = TOP) {
  const get = (key: string) => (before instanceof Map ? before.get(key) : before[key]) ?? 0;
  const entries = [...after].map(([k, v]) => [k, v - get(k)] as const).filter(([, v]) => v > 0);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  return {
    total: Number((total / ALERTS).toFixed(2)),
    top: Object.fromEntries(
      entries
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([k, v]) => [k, Number((v / ALERTS).toFixed(2))]),
    ),
  };
}

async function main() {
  const { scenarios, objects } = loadScenarios();
  const profileDir = process.env.BENCH_CPU_PROF;
  const { stack, build } = await startBenchStack({ objects, latencyMs: 5 });
  let webhook: ReturnType<typeof webhookPoster> | undefined;
  const redis = connect('worker', stack.redis.url);
  try {
    const medic = await stack.startMedic('all');
    webhook = webhookPoster(`${medic.baseUrl}/alertmanager`);
    const { post } = webhook;
    const watcher = replyWatcher(stack);
    // Warm-up: one alert per scenario, so caches, JIT and connections are in their steady state.
    const warm = scenarios.map((s) => freshAlert(s, 'warm'));
    await Promise.all(warm.map((w) => post(w.payload)));
    await waitFor(() => warm.every((w) => watcher.poll().has(w.fingerprint)), { timeoutMs: 60_000, what: 'warm-up' });
    await delay(500);

    const redisBefore = await redisCommands(redis);
    const slackBefore = stack.slackCalls.length;
    const kubeBefore = { ...stack.sandbox.requests().byRoute };
    const cpuBefore = cpuMs(medic.process.pid);
    const harnessBefore = process.cpuUsage();
    const redisCpuBefore = await redisCpuMs(redis);
    const started = Date.now();
    const sent: string[] = [];
    for (let i = 0; i < ALERTS; i += 1) {
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 0) await delay(wait);
      const { payload, fingerprint } = freshAlert(scenarios[i % scenarios.length]!, 'cost');
      sent.push(fingerprint);
      void post(payload);
    }
    const replies = await waitFor(
      () => {
        const seen = watcher.poll();
        return sent.every((fp) => seen.has(fp)) ? seen : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 20, what: `all ${ALERTS} replies` },
    );
    const lastReply = Math.max(...sent.map((fp) => replies.get(fp)!.at));
    const elapsedS = (lastReply - started) / 1000;
    await delay(1000); // trailing thread syncs (parent updates) belong to these alerts too
    const cpu = cpuMs(medic.process.pid) - cpuBefore;
    const harness = process.cpuUsage(harnessBefore);
    const redisCpu = (await redisCpuMs(redis)) - redisCpuBefore;

    const slackMethods = new Map<string, number>();
    for (const call of stack.slackCalls.slice(slackBefore)) {
      slackMethods.set(call.method, (slackMethods.get(call.method) ?? 0) + 1);
    }
    const result = {
      bench: 'cost',
      medic: build,
      nodeArgs: benchNodeArgs(),
      alerts: ALERTS,
      offeredRate: RATE,
      throughputPerS: Number((ALERTS / elapsedS).toFixed(1)),
      cpuMsPerAlert: Number((cpu / ALERTS).toFixed(2)),
      cpuCoresBusy: Number((cpu / 1000 / (elapsedS + 1)).toFixed(2)),
      // The harness process runs the sender, the sandbox API server, the Slack simulator and its proxy.
      harnessCpuMsPerAlert: Number(((harness.user + harness.system) / 1000 / ALERTS).toFixed(2)),
      redisCpuMsPerAlert: Number((redisCpu / ALERTS).toFixed(2)),
      redisCommandsPerAlert: perAlert(await redisCommands(redis), redisBefore),
      slackCallsPerAlert: perAlert(slackMethods, new Map()),
      kubeRequestsPerAlert: perAlert(
        new Map(Object.entries(stack.sandbox.requests().byRoute)),
        kubeBefore,
        Math.min(TOP, 8),
      ),
      meanMs: await meanDurations(medic.baseUrl),
      loadAverage: (await import('node:os')).loadavg().map((n) => Number(n.toFixed(2))),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (profileDir) await medic.kill('SIGTERM');
  } finally {
    redis.disconnect();
    webhook?.close();
    await stack.close();
  }
}

await main();
