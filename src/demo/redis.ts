/**
 * Redis for the demo: REDIS_URL when it answers, else a private `redis-server` on a free port that the
 * demo owns (no persistence) and stops on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { errorMessage, MedicError } from '../errors.js';

export interface DemoRedis {
  url: string;
  /** True when the demo started this redis-server itself. */
  isPrivate: boolean;
  /** The private server's process id. */
  pid?: number;
  stop(): Promise<void>;
}

/** Resolves when Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {
    // The answer is the PING below; connection errors only mean "no".
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForRedis(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    if (child.exitCode !== null)
      throw new MedicError('UNAVAILABLE', `redis-server exited with code ${child.exitCode}.`);
    if (await redisAnswers(url, 300)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new MedicError('UNAVAILABLE', 'redis-server did not answer within 5 seconds.');
}

/** Starts `redis-server` on a free port; a clear error when it is not installed. */
export async function startPrivateRedis(binary = 'redis-server'): Promise<DemoRedis> {
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    // Its own process group: a Ctrl-C in the terminal goes to the whole foreground group, and would stop Redis
    // before Medic has closed its connections; the demo stops it last instead.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  // events.once rejects with the child's 'error' (ENOENT when redis-server is not installed).
  const spawned = await once(child, 'spawn').then(
    () => null,
    (error: NodeJS.ErrnoException) => error,
  );
  if (spawned) {
    if (spawned.code === 'ENOENT') {
      throw new MedicError(
        'UNAVAILABLE',
        'The demo needs Redis: set REDIS_URL to a running Redis, or install redis-server (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`).',
        { field: 'REDIS_URL' },
      );
    }
    throw new MedicError('UNAVAILABLE', `Could not start redis-server: ${errorMessage(spawned)}`);
  }
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForRedis(url, child, Date.now() + 5000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const exited = once(child, 'exit');
  return {
    url,
    isPrivate: true,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * REDIS_URL when set and answering; otherwise a private redis-server. `onNotice` hears why a private one
 * was started when REDIS_URL was set.
 */
export async function ensureRedis(redisUrl: string | undefined, onNotice: (text: string) => void): Promise<DemoRedis> {
  if (redisUrl) {
    if (await redisAnswers(redisUrl)) return { url: redisUrl, isPrivate: false, stop: async () => {} };
    onNotice(
      `REDIS_URL (${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}) does not answer; starting a private redis-server.`,
    );
  }
  return startPrivateRedis();
}
