/**
 * The build the benchmarks measure: exactly what the Dockerfile ships, `npm run build` (scripts/build.mjs,
 * an esbuild bundle with its assets and source maps) into .bench/dist (git-ignored). Benchmarks measure this,
 * not tsx, because transpiling at run time costs CPU and ~100 MB that production does not pay.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { SandboxOptions } from '../src/sandbox/index.js';
import { REPO_ROOT } from '../test/support/medic-process.js';
import { type Stack, startStack } from '../test/support/stack.js';

/** Runs the production build (scripts/build.mjs) into `outDir` (default .bench/dist) and returns its entry. */
export function buildCompiled(outDir = join(REPO_ROOT, '.bench', 'dist')): string {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--outdir', outDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const entry = join(outDir, 'medic.mjs');
  process.stderr.write(`production build: ${relative(REPO_ROOT, entry)}\n`);
  return entry;
}

/**
 * Which Medic the benchmark runs: the production build (default), tsx with BENCH_ENTRY=tsx, or an entry built
 * elsewhere with BENCH_ENTRY=<path> (an older build, say, to compare both in the same machine state).
 */
export function benchEntry(): string | undefined {
  const choice = process.env.BENCH_ENTRY;
  if (choice === 'tsx') return undefined;
  return choice ? resolve(choice) : buildCompiled();
}

/** The NODE_OPTIONS the container image sets (Dockerfile `ENV NODE_OPTIONS=…`), so benchmarks run Medic as shipped. */
export function imageNodeOptions(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  return (/^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1] ?? '').replace(/"/g, '').split(' ').filter(Boolean);
}

/**
 * Node flags for Medic: the image's NODE_OPTIONS, or BENCH_NODE_ARGS (space-separated) instead when set
 * (BENCH_NODE_ARGS= for none), plus a CPU profile into BENCH_CPU_PROF if set.
 */
export function benchNodeArgs(): string[] {
  const args = (process.env.BENCH_NODE_ARGS ?? imageNodeOptions().join(' ')).split(' ').filter(Boolean);
  const profileDir = process.env.BENCH_CPU_PROF;
  return profileDir ? [...args, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : args;
}

/**
 * The stack every end-to-end benchmark measures: AOF Redis, the sandbox with `sandbox` options, the Slack
 * simulator, and Medic run as `benchEntry()` / `benchNodeArgs()` say. `build` names which Medic ran: `bundle`
 * (the production build), `tsx`, or the BENCH_ENTRY path.
 */
export async function startBenchStack(sandbox: SandboxOptions): Promise<{ stack: Stack; build: string }> {
  const entry = benchEntry();
  const stack = await startStack({
    sandbox,
    aof: true,
    ...(entry ? { medicEntry: entry } : {}),
    medicNodeArgs: benchNodeArgs(),
  });
  return { stack, build: entry ? (process.env.BENCH_ENTRY ?? 'bundle') : 'tsx' };
}
