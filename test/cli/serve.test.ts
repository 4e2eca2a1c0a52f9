import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../pipeline/recording-notifier.js';
import { startTestMedic } from '../support/medic.js';
import { type MedicProcess, spawnMedic } from '../support/medic-process.js';
import { deleteKeysUnder, TEST_REDIS_URL, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const template = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../shared/scenarios/oom-limit/alert.json'), 'utf8'),
);

/** A 10-alert payload whose fingerprints are unique to request `n`. */
function payload(n: number) {
  const body = structuredClone(template);
  const alert = body.alerts[0];
  body.alerts = Array.from({ length: 10 }, (_, i) => ({
    ...alert,
    fingerprint: (n * 10 + i).toString(16).padStart(16, '0'),
  }));
  return JSON.stringify(body);
}

describe('medic serve shutdown', () => {
  const prefix = uniquePrefix('shutdown');
  let medic: MedicProcess;

  beforeAll(async () => {
    medic = await spawnMedic({
      role: 'all',
      env: { REDIS_URL: TEST_REDIS_URL, MEDIC_QUEUE_PREFIX: prefix, MEDIC_WORKER_CONCURRENCY: '4' },
    });
  });
  afterAll(async () => {
    if (medic.process.isRunning()) await medic.kill('SIGKILL');
    await deleteKeysUnder(prefix);
  });

  it('loses no accepted alert when SIGTERM arrives under load, and each is diagnosed exactly once', async () => {
    const accepted: string[] = [];
    let sent = 0;
    let refused = 0;
    let stopping = false;
    const client = async () => {
      while (!stopping || sent < 120) {
        const n = sent++;
        if (n >= 2000) return;
        try {
          const response = await fetch(`${medic.baseUrl}/alertmanager`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: payload(n),
          });
          if (response.status === 202) {
            for (let i = 0; i < 10; i++) accepted.push((n * 10 + i).toString(16).padStart(16, '0'));
          } else refused += 1;
        } catch {
          // Connection refused or reset once the server stopped listening: not accepted, Alertmanager retries.
          refused += 1;
          if (stopping) return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (sent < 50) await new Promise((resolve) => setImmediate(resolve));
    stopping = true;
    const exit = await medic.kill('SIGTERM');
    await Promise.all(clients);
    expect(exit).toBe(0);
    expect(accepted.length).toBeGreaterThanOrEqual(400);
    expect(refused).toBeGreaterThan(0);

    // A fresh worker drains whatever the stopped process handed back; every accepted alert is diagnosed once.
    const notifier = new RecordingNotifier();
    const worker = await startTestMedic({
      role: 'worker',
      env: { MEDIC_QUEUE_PREFIX: prefix },
      overrides: { view: notifier },
    });
    try {
      // The 10-alert payloads arrive as batch jobs (src/queue/alert-batcher.ts) that the worker fans out first.
      const diagnosedFingerprints = async () =>
        (await worker.store.list()).filter((r) => r.kind === 'diagnosis').map((r) => r.fingerprint);
      await waitFor(async () => (await diagnosedFingerprints()).length >= accepted.length, {
        timeoutMs: 40_000,
        what: `${accepted.length} diagnoses`,
      });
      expect((await diagnosedFingerprints()).sort()).toEqual([...accepted].sort());
      const counts = await worker.queues.alerts.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
      expect(counts).toEqual({ waiting: 0, prioritized: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
