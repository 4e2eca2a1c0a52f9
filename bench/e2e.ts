/**
 * bench:e2e — latency from the Alertmanager webhook to the Slack diagnosis reply, for the scenario
 * incidents (../shared/scenarios), at 10 and 100 alerts/s, with 5 ms of API-server latency per request.
 * One run measures side by side: a serial pass (one alert at a time: Kubernetes requests per diagnosis,
 * per scenario) and the two open-loop rates. Each alert is its own group, so each gets a parent and a reply, and
 * a distinct incident: about its own copy of its scenario's objects (its namespaces: bench/scenarios.ts), so no
 * alert shares a diagnosis or a cached answer with another (cluster-scoped objects, nodes and volumes, are shared).
 * Each rate also reports Redis commands per alert (INFO commandstats: commands run inside Lua scripts count too).
 * Prints JSON. Bar (issue 19): p99 ≤ 150 ms at 100 alerts/s.
 */
import { connect, type Redis } from '../test/support/redis.js';
import { summarize } from '../test/support/stats.js';
import { delay, waitFor } from '../test/support/wait.js';
import { benchNodeArgs, startBenchStack } from './compiled.js';
import { freshAlert, loadScenarios, replyWatcher, scenarioNames, webhookPoster } from './scenarios.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const RATES = (process.env.BENCH_RATES ?? '10,100').split(',').map(Number);
// BENCH_SANDBOX_LATENCY_MS: the API server latency per request (default 5 ms).
const SANDBOX_LATENCY_MS = Number(process.env.BENCH_SANDBOX_LATENCY_MS ?? 5);
const BAR_P99_MS = 150;

const SERIAL_PER_SCENARIO = 3;

/** Calls per Redis command so far (INFO commandstats), e.g. { evalsha: 120, hset: 40 }. */
async function redisCommandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const [, command, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(command!, Number(count));
  return calls;
}

/** Commands per alert between two `redisCommandCalls` readings: the total and the busiest commands. */
function commandsPerAlert(before: Map<string, number>, after: Map<string, number>, alerts: number) {
  const per = [...after]
    .map(([command, calls]) => [command, (calls - (before.get(command) ?? 0)) / alerts] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = per.reduce((sum, [, n]) => sum + n, 0);
  return {
    total: Number(total.toFixed(1)),
    byCommand: Object.fromEntries(per.map(([c, n]) => [c, Number(n.toFixed(2))])),
  };
}

async function main() {
  const scenarioCount = scenarioNames().length;
  // Every alert of the run gets a copy of its own: the serial ones and each rate's. BENCH_COPIES=1: every alert
  // is about the scenario's own objects (repeats of 11 incidents, whose diagnoses and reads are shared).
  const copies = Number(
    process.env.BENCH_COPIES ??
      SERIAL_PER_SCENARIO + RATES.reduce((n, rate) => n + Math.ceil((rate * DURATION_S) / scenarioCount), 0),
  );
  const { scenarios, objects } = loadScenarios(copies);
  // BENCH_CPU_PROF=<dir>: Medic writes a V8 CPU profile there when it exits (SIGTERM at the end of the run).
  const profileDir = process.env.BENCH_CPU_PROF;
  const { stack, build } = await startBenchStack({ objects, latencyMs: SANDBOX_LATENCY_MS });
  let webhook: ReturnType<typeof webhookPoster> | undefined;
  let observer: Redis | undefined;
  try {
    const medic = await stack.startMedic('all');
    webhook = webhookPoster(`${medic.baseUrl}/alertmanager`);
    const { post } = webhook;
    const watcher = replyWatcher(stack);
    const kubeRequests = () => stack.sandbox.requests().total;
    observer = connect('store', stack.redis.url);

    // Serial pass: one diagnosis at a time, so the sandbox's request count per diagnosis is exact.
    const perScenario: Record<string, unknown> = {};
    for (const scenario of scenarios) {
      const latencies: number[] = [];
      const requests: number[] = [];
      let correct = 0;
      for (let i = 0; i < SERIAL_PER_SCENARIO; i += 1) {
        const { payload, fingerprint } = freshAlert(scenario, 'serial', copies);
        const before = kubeRequests();
        const sentAt = Date.now();
        await post(payload);
        const reply = await waitFor(() => watcher.poll().get(fingerprint), {
          timeoutMs: 30_000,
          intervalMs: 2,
          what: `the diagnosis reply of ${scenario.name}`,
        });
        latencies.push(reply.at - sentAt);
        await delay(50); // let trailing reads (none expected) land before counting
        requests.push(kubeRequests() - before);
        if (reply.rootCause === scenario.expected[0]) correct += 1;
      }
      perScenario[scenario.name] = {
        latencyMs: summarize(latencies, 0),
        kubeRequestsPerDiagnosis: summarize(requests, 0).p50,
        rootCauseMatchesExpectation: `${correct}/${SERIAL_PER_SCENARIO}`,
      };
    }

    const rates: Record<string, unknown> = {};
    for (const rate of RATES) {
      const total = rate * DURATION_S;
      const sent = new Map<string, number>();
      const scenarioOf = new Map<string, string>();
      const commandsBefore = await redisCommandCalls(observer);
      const started = Date.now();
      const posts: Promise<void>[] = [];
      let errors = 0;
      for (let i = 0; i < total; i += 1) {
        const due = started + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await delay(wait);
        const scenario = scenarios[i % scenarios.length]!;
        const { payload, fingerprint } = freshAlert(scenario, `rate${rate}`, copies);
        sent.set(fingerprint, Date.now());
        scenarioOf.set(fingerprint, scenario.name);
        posts.push(
          post(payload).catch(() => {
            errors += 1;
          }),
        );
      }
      await Promise.all(posts);
      const sendSeconds = (Date.now() - started) / 1000;
      const replies = await waitFor(
        () => {
          const seen = watcher.poll();
          return [...sent.keys()].every((fp) => seen.has(fp)) ? seen : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 20, what: `all ${total} replies at ${rate}/s` },
      );
      await delay(200); // let the last thread syncs' trailing commands land
      const redisCommands = commandsPerAlert(commandsBefore, await redisCommandCalls(observer), total);
      const latencies = [...sent].map(([fp, at]) => replies.get(fp)!.at - at);
      // Which incidents make the tail: p99 per scenario.
      const byScenario = new Map<string, number[]>();
      for (const [fp, at] of sent) {
        const name = scenarioOf.get(fp)!;
        byScenario.set(name, [...(byScenario.get(name) ?? []), replies.get(fp)!.at - at]);
      }
      const p99ByScenario = Object.fromEntries([...byScenario].map(([name, l]) => [name, summarize(l, 0).p99]));
      rates[`${rate}/s`] = {
        alerts: total,
        achievedRate: Number((total / sendSeconds).toFixed(1)),
        webhookErrors: errors,
        latencyMs: summarize(latencies, 0),
        p99MsByScenario: p99ByScenario,
        redisCommandsPerAlert: redisCommands,
      };
    }

    const at100 = rates['100/s'] as { latencyMs: { p99: number } } | undefined;
    process.stdout.write(
      `${JSON.stringify(
        {
          bench: 'e2e',
          medic: build,
          nodeArgs: benchNodeArgs(),
          sandboxLatencyMs: SANDBOX_LATENCY_MS,
          durationPerRateS: DURATION_S,
          distinctCopiesPerScenario: copies,
          sandboxObjects: objects.length,
          workerConcurrency: stack.env.MEDIC_WORKER_CONCURRENCY ?? 'default',
          perScenario,
          rates,
          bar: { p99MsAt100PerS: BAR_P99_MS },
          pass: at100 ? at100.latencyMs.p99 <= BAR_P99_MS : null,
        },
        null,
        2,
      )}\n`,
    );
    if (profileDir) await medic.kill('SIGTERM');
  } finally {
    webhook?.close();
    observer?.disconnect();
    await stack.close();
  }
}

await main();
