/**
 * Child processes with clean teardown: every process started here is tracked and SIGKILLed when the test
 * process exits, so a failed or timed-out test never leaves a server or a port behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { withTimeout } from './wait.js';

export interface Tracked {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Combined stdout and stderr, last 256 KiB: for diagnosing a failure. */
  output(): string;
  isRunning(): boolean;
  /** Calls `listener` with every complete output line from now on (e.g. to count JSON log records). */
  onLine(listener: (line: string) => void): void;
  /** Resolves when a line of output matches `pattern`, rejects on exit or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal` and waits for the exit; SIGKILLs after `graceMs` if it is still running. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

const OUTPUT_LIMIT = 256 * 1024;
const live = new Set<Tracked>();

process.once('exit', () => {
  for (const tracked of live) tracked.child.kill('SIGKILL');
});

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): Tracked {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let buffer = '';
  const listeners = new Set<(chunk: string) => void>();
  const lineListeners: ((line: string) => void)[] = [];
  const partial = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
    const chunk = data.toString('utf8');
    buffer = (buffer + chunk).slice(-OUTPUT_LIMIT);
    for (const listener of listeners) listener(chunk);
    if (lineListeners.length === 0) return;
    const lines = (partial[stream] + chunk).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const line of lines) for (const listener of lineListeners) listener(line);
  };
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(tracked);
      resolve(code ?? signal ?? 'unknown');
    });
  });

  const tracked: Tracked = {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => buffer,
    isRunning: () => running,
    onLine: (listener) => {
      lineListeners.push(listener);
    },
    waitForOutput(pattern, timeoutMs) {
      if (pattern.test(buffer)) return Promise.resolve(buffer);
      let seen = '';
      let listener: ((chunk: string) => void) | undefined;
      const matched = new Promise<string>((resolve, reject) => {
        listener = (chunk) => {
          seen += chunk;
          if (pattern.test(seen)) resolve(seen);
        };
        listeners.add(listener);
        void exited.then((code) =>
          reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${buffer.slice(-4000)}`)),
        );
      });
      return withTimeout(matched, timeoutMs, `${name} to print ${pattern}`).finally(() => {
        if (listener) listeners.delete(listener);
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (!running) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  live.add(tracked);
  return tracked;
}

/** SIGKILLs every process this harness started that is still running. */
export async function killAllTracked(): Promise<void> {
  const all = [...live];
  for (const tracked of all) tracked.child.kill('SIGKILL');
  await Promise.all(all.map((t) => t.exited));
}
