/**
 * The one private redis-server starter for tests and benchmarks that stop, kill or restart Redis: its own
 * free port and temp directory, AOF with `appendfsync always` by default (a 202 must survive a SIGKILL), and
 * kill/restart on the same port. Connect to it with `connect(purpose, redis.url)` from ./redis.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { spawnTracked, type Tracked } from './processes.js';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** SIGKILL: no shutdown save, only what the AOF already holds survives. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port and directory (loading the AOF). */
  restart(): Promise<void>;
  isRunning(): boolean;
  /** Stops the server and deletes its directory. */
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Default true: `--appendonly yes --appendfsync always`. */
  aof?: boolean;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'medic-redis-'));
  const aof = options.aof ?? true;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...(aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  let server: Tracked | undefined;

  const launch = async () => {
    server = spawnTracked(`redis-server:${port}`, 'redis-server', args);
    await server.waitForOutput(/Ready to accept connections/, 15_000);
  };
  await launch();

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async kill() {
      if (!server?.isRunning()) return;
      server.child.kill('SIGKILL');
      await server.exited;
    },
    async restart() {
      if (server?.isRunning()) throw new Error('redis is still running; kill() it first');
      await launch();
    },
    isRunning: () => server?.isRunning() ?? false,
    async close() {
      await server?.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
