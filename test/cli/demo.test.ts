/** `medic demo` as a user runs it: a child process that starts everything, and on Ctrl-C stops all of it. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The child processes of `pid`, with their command names. */
function children(pid: number): { pid: number; command: string }[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when there are none.
    return [];
  }
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), command: m[2] ?? '' }));
}

describe('medic demo', () => {
  it('starts everything, prints where to look, and on SIGINT stops every process and frees every port', async () => {
    // Without REDIS_URL the demo starts its own redis-server, whose end this test checks.
    const env = Object.fromEntries(
      Object.entries({ ...process.env, LOG_LEVEL: 'silent' }).filter(([k]) => k !== 'REDIS_URL'),
    );
    child = spawn(process.execPath, ['bin/medic.js', 'demo', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    const ready = new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', (d) => {
        out += String(d);
        if (out.includes('Press Ctrl-C')) resolve();
      });
      child?.once('exit', (code) => reject(new Error(`demo exited early (${code}): ${out}\n${err}`)));
    });
    await ready;

    expect(out).toMatch(/✔ 8 alerts in 5 groups: \d+ diagnoses posted to #incidents/);
    const consolePort = Number(/Console\s+http:\/\/localhost:(\d+)\/console\//.exec(out)?.[1]);
    const sandboxPort = Number(/kubectl --server http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const redisPort = Number(/private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    for (const port of [consolePort, sandboxPort, redisPort]) expect(port).toBeGreaterThan(0);
    const page = await fetch(`http://127.0.0.1:${consolePort}/console/`);
    expect(page.status).toBe(200);
    const started = children(child.pid ?? 0);
    expect(started.map((c) => c.command)).toContain('redis-server');

    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('Stopped.');
    // The demo waits for its redis-server to exit before it exits itself.
    for (const c of started.filter((p) => p.command === 'redis-server')) expect(isAlive(c.pid)).toBe(false);
    // tsx's esbuild service notices its parent is gone a moment later.
    await expect.poll(() => started.filter((c) => isAlive(c.pid)), { timeout: 3000 }).toEqual([]);
    for (const port of [consolePort, sandboxPort, redisPort]) {
      expect(await portIsFree(port), `port ${port} still open`).toBe(true);
    }
  }, 90_000);

  it('with its port taken, exits at once with one sentence naming the port, before starting anything', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k !== 'REDIS_URL' && k !== 'LOG_LEVEL'),
      );
      const started = Date.now();
      child = spawn(process.execPath, ['bin/medic.js', 'demo', '--port', String(port)], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout?.on('data', (d) => {
        out += String(d);
      });
      child.stderr?.on('data', (d) => {
        err += String(d);
      });
      const seen = new Map<number, string>();
      const sampler = setInterval(() => {
        for (const c of children(child?.pid ?? 0)) seen.set(c.pid, c.command);
      }, 50);
      const [code] = await once(child, 'exit');
      clearInterval(sampler);
      const tookMs = Date.now() - started;

      expect(code).toBe(1);
      expect(err.trim().split('\n'), err).toEqual([
        `medic demo: port ${port} is already in use; choose another with --port ${port + 1} (or PORT=${port + 1}; --port 0 picks a free one).`,
      ]);
      // Before Redis, the sandbox and the simulator: nothing was started, so nothing is left running.
      expect(out).not.toContain('redis-server');
      expect(tookMs).toBeLessThan(30_000); // mostly loading Medic through tsx on a busy machine
      await expect.poll(() => [...seen.keys()].filter(isAlive), { timeout: 3000 }).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
