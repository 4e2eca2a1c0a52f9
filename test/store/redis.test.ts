/**
 * Medic through Redis Sentinel (REDIS_SENTINELS): a private redis-server and a real sentinel (`redis-server
 * --sentinel`) monitoring it; Medic asks the sentinel for the master and runs its whole pipeline there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { freePort } from '../support/ports.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';
import { SCENARIOS_DIR } from '../support/sandbox.js';
import { waitFor } from '../support/wait.js';

async function startSentinel(masterPort: number): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'medic-sentinel-'));
  const file = join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file, so it must be a writable file of its own.
  writeFileSync(
    file,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`].join('\n'),
  );
  const child = spawn('redis-server', [file, '--sentinel'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sentinel did not start: ${output}`)), 10_000);
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('+monitor master mymaster')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`sentinel exited with ${code}: ${output}`)));
  });
  return { port, process: child };
}

describe('Redis through Sentinel', () => {
  let redis: PrivateRedis;
  let sentinel: { port: number; process: ChildProcess };
  let medic: TestMedic;

  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: false });
    sentinel = await startSentinel(redis.port);
    medic = await startTestMedic({
      role: 'all',
      env: {
        // A URL whose host is wrong on purpose: with sentinels set, the master's address comes from them.
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
        REDIS_SENTINEL_NAME: 'mymaster',
      },
    });
  }, 30_000);

  afterAll(async () => {
    await medic?.stop();
    if (sentinel) {
      const exited = once(sentinel.process, 'exit');
      sentinel.process.kill('SIGKILL');
      await exited;
    }
    await redis?.close();
  });

  it('accepts alerts into the master the sentinel names and diagnoses each once', async () => {
    const body = readFileSync(join(SCENARIOS_DIR, 'consul-sidecar-churn', 'alert.json'), 'utf8');
    const response = await fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(202);
    const fingerprints: string[] = JSON.parse(body).alerts.map((a: { fingerprint: string }) => a.fingerprint);
    const recorded = await waitFor(
      async () => {
        const list = (await medic.store.list()).map((r) => r.fingerprint);
        return fingerprints.every((fp) => list.includes(fp)) && list;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'a diagnosis record for every alert' },
    );
    expect(recorded.sort()).toEqual([...fingerprints].sort());
    const ready = await fetch(`${medic.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
