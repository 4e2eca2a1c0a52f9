/**
 * bench:footprint — start-up time and idle memory of `medic serve --role all`: the production build the
 * container image runs (`npm run build`, an esbuild bundle, run with the image's NODE_OPTIONS), next to the same
 * command through tsx and a bare Node process. The bar (idle RSS ≤ 150 MB) is the image's: `pass` is decided
 * by the worst of its runs. tsx (`npx medic`, bin/medic.js) is the try-it-out path on a clone, not what is
 * deployed; it is reported for comparison (it transpiles at run time and loads every module file, ~100 MB more).
 * Each variant starts RUNS times against a private Redis and a sandbox cluster; RSS is read from /proc after
 * IDLE_MS of idleness. The runs spread by ~15 MB: start-up grows V8's young generation to its 2 × 16 MB
 * semi-spaces, and V8's memory reducer gives them back after some seconds of idleness, before or after the
 * sample (docs/reliability.md, bench:footprint). Prints JSON.
 */
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/index.js';
import { SCENARIOS_DIR } from '../test/support/alerts.js';
import { spawnMedic } from '../test/support/medic-process.js';
import { killAllTracked, spawnTracked } from '../test/support/processes.js';
import { startPrivateRedis } from '../test/support/redis-server.js';
import { readProcessMemory, summarize } from '../test/support/stats.js';
import { delay, waitFor } from '../test/support/wait.js';
import { benchNodeArgs, buildCompiled } from './compiled.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);
const BAR_IDLE_RSS_MB = 150;

async function measureBareNode() {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const bare = spawnTracked('bare-node', process.execPath, ['-e', "console.log('up'); setInterval(() => {}, 1000)"]);
    await bare.waitForOutput(/up/, 10_000);
    await delay(1000);
    samples.push(readProcessMemory(bare.pid).rssMb);
    await bare.stop('SIGKILL');
  }
  return { idleRssMb: summarize(samples) };
}

async function measureMedic(name: string, entry: string | undefined, env: Record<string, string>) {
  const startup: number[] = [];
  const ready: number[] = [];
  const idle: number[] = [];
  const peak: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const medic = await spawnMedic({
      role: 'all',
      env,
      ...(entry ? { entry } : {}),
      nodeArgs: benchNodeArgs(),
      readyTimeoutMs: 60_000,
    });
    startup.push(medic.startupMs);
    const spawnedAt = Date.now() - medic.startupMs;
    await waitFor(async () => (await fetch(`${medic.baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) })).ok, {
      timeoutMs: 30_000,
      what: `${name} /readyz`,
    });
    ready.push(Date.now() - spawnedAt);
    await delay(IDLE_MS);
    const memory = readProcessMemory(medic.process.pid);
    idle.push(memory.rssMb);
    peak.push(memory.peakRssMb);
    const exit = await medic.kill('SIGTERM');
    if (exit !== 0)
      process.stderr.write(`${name}: exit ${exit} after SIGTERM\n${medic.process.output().slice(-2000)}\n`);
  }
  return {
    startupToHealthzMs: summarize(startup, 0),
    startupToReadyzMs: summarize(ready, 0),
    idleRssMb: summarize(idle),
    peakRssDuringStartMb: summarize(peak),
  };
}

async function main() {
  const redis = await startPrivateRedis({ aof: false });
  const sandbox = await startSandbox({ file: join(SCENARIOS_DIR, 'oom-limit', 'cluster.yaml') });
  try {
    const env = {
      REDIS_URL: redis.url,
      MEDIC_KUBE_SERVER: sandbox.url,
      MEDIC_QUEUE_PREFIX: 'medic-bench-footprint',
      LOG_LEVEL: 'warn',
    };
    const entry = buildCompiled();
    const results = {
      bench: 'footprint',
      runs: RUNS,
      idleMs: IDLE_MS,
      node: process.version,
      nodeArgs: benchNodeArgs(),
      bareNode: await measureBareNode(),
      image: await measureMedic('image', entry, env),
      tsx: await measureMedic('tsx', undefined, env),
      bar: { idleRssMb: BAR_IDLE_RSS_MB, decidedBy: 'image idleRssMb.max' },
    };
    process.stdout.write(
      `${JSON.stringify({ ...results, pass: results.image.idleRssMb.max <= BAR_IDLE_RSS_MB }, null, 2)}\n`,
    );
  } finally {
    await sandbox.close();
    await redis.close();
    await killAllTracked();
  }
}

await main();
