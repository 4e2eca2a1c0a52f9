/**
 * The compiled build the benchmarks measure: what the Dockerfile runs (`tsc -p tsconfig.build.json`, the
 * non-TypeScript assets copied next to the output, a two-line launcher), built into .bench/dist (git-ignored).
 * Benchmarks measure this, not tsx, because transpiling at run time costs CPU and ~70 MB that production
 * does not pay.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SandboxOptions } from '../src/kube/sandbox/index.js';
import { REPO_ROOT } from '../test/harness/medic.js';
import { type Stack, startStack } from '../test/harness/stack.js';

function copyAssets(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyAssets(source, join(to, name));
    else if (!name.endsWith('.ts')) {
      mkdirSync(to, { recursive: true });
      cpSync(source, join(to, name));
    }
  }
}

/** Compiles src/, handlers/ and playbooks/ into .bench/dist and returns the launcher's path. */
export function buildCompiled(): string {
  const outDir = join(REPO_ROOT, '.bench', 'dist');
  mkdirSync(outDir, { recursive: true });
  try {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    // tsc still emits JavaScript when it reports type errors; the launcher fails loudly if it did not.
    process.stderr.write(
      `tsc reported errors (emitting anyway): ${String((error as { stdout?: Buffer }).stdout).slice(0, 500)}\n`,
    );
  }
  copyAssets(join(REPO_ROOT, 'src'), join(outDir, 'src'));
  const launcher = join(outDir, 'medic.mjs');
  writeFileSync(
    launcher,
    "const { runCli } = await import('./src/cli.js');\nprocess.exitCode = await runCli(process.argv.slice(2));\n",
  );
  process.stderr.write(`compiled build: ${relative(REPO_ROOT, launcher)}\n`);
  return launcher;
}

/** Which Medic the benchmark runs: the compiled build (default), or tsx with BENCH_ENTRY=tsx. */
export function benchEntry(): string | undefined {
  return process.env.BENCH_ENTRY === 'tsx' ? undefined : buildCompiled();
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
 * simulator, and Medic run as `benchEntry()` / `benchNodeArgs()` say. `build` names which Medic ran.
 */
export async function startBenchStack(sandbox: SandboxOptions): Promise<{ stack: Stack; build: 'compiled' | 'tsx' }> {
  const entry = benchEntry();
  const stack = await startStack({
    sandbox,
    aof: true,
    ...(entry ? { medicEntry: entry } : {}),
    medicNodeArgs: benchNodeArgs(),
  });
  return { stack, build: entry ? 'compiled' : 'tsx' };
}
