import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

const body = readFileSync(join(import.meta.dirname, '../../../shared/scenarios/oom-limit/alert.json'), 'utf8');
const withFingerprint = (fingerprint: string) =>
  body.replace(/"fingerprint": "[0-9a-f]+"/, `"fingerprint": "${fingerprint}"`);

describe('Redis outage', () => {
  let redis: PrivateRedis;
  let medic: TestMedic;

  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: false });
    medic = await startTestMedic({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await medic.stop();
    await redis.close();
  });

  const post = (text: string) =>
    fetch(`${medic.url}/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it('answers 503 at once while Redis is down, then accepts again without a restart', async () => {
    expect((await post(withFingerprint('0000000000000001'))).status).toBe(202);

    await redis.kill();
    const started = performance.now();
    const refused = await post(withFingerprint('0000000000000002'));
    expect(refused.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    const ready = await fetch(`${medic.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: { ok: boolean } } }).checks.redis.ok).toBe(false);
    expect((await fetch(`${medic.url}/healthz`)).status).toBe(200);

    await redis.restart();
    await waitFor(async () => (await post(withFingerprint('0000000000000002'))).status === 202, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'POST /alertmanager to answer 202 again',
    });
    expect((await fetch(`${medic.url}/readyz`)).status).toBe(200);
    const jobs = await medic.queues.alerts.getJobs(['waiting', 'prioritized']);
    expect(jobs.map((j) => ('alert' in j.data ? j.data.alert.fingerprint : ''))).toContain('0000000000000002');
  });
});
