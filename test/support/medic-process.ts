/** `node bin/medic.js serve --role …` as a real child process, with its environment and a readiness wait. */
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnTracked, type Tracked } from './processes.js';
import { waitFor } from './wait.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const MEDIC_BIN = join(REPO_ROOT, 'bin', 'medic.js');

export type MedicRole = 'web' | 'worker' | 'all';

export interface MedicProcessOptions {
  role: MedicRole;
  /** REDIS_URL, SLACK_API_URL, MEDIC_KUBE_SERVER, MEDIC_QUEUE_PREFIX, … */
  env: Record<string, string>;
  /** Default: a free port. */
  port?: number;
  /** Default 30 s: start-up through tsx is a few seconds on 2 cores. */
  readyTimeoutMs?: number;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Script that runs the CLI; default bin/medic.js (TypeScript through tsx), e.g. a compiled build's launcher. */
  entry?: string;
}

export interface MedicProcess {
  readonly role: MedicRole;
  readonly port: number;
  readonly baseUrl: string;
  readonly process: Tracked;
  /** Milliseconds from spawn until ready. */
  readonly startupMs: number;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Environment every spawned Medic gets unless the caller overrides it: quiet logs, no real Slack. */
const BASE_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
};

export async function spawnMedic(options: MedicProcessOptions): Promise<MedicProcess> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, ...BASE_ENV, ...options.env, PORT: String(port) };
  const started = Date.now();
  const tracked = spawnTracked(
    `medic-${options.role}:${port}`,
    process.execPath,
    [...(options.nodeArgs ?? []), options.entry ?? MEDIC_BIN, 'serve', '--role', options.role],
    { env, cwd: REPO_ROOT },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    await waitFor(
      async () => {
        if (!tracked.isRunning()) throw new Error(`exited early:\n${tracked.output().slice(-4000)}`);
        const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
        return response.ok;
      },
      { timeoutMs, intervalMs: 50, what: `medic --role ${options.role} on :${port} to answer /healthz` },
    );
  } catch (error) {
    await tracked.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- output ---\n${tracked.output().slice(-4000)}`);
  }
  return {
    role: options.role,
    port,
    baseUrl,
    process: tracked,
    startupMs: Date.now() - started,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => tracked.stop(signal, 10_000),
  };
}
