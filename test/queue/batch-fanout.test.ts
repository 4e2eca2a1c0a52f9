/**
 * A webhook with many alerts is stored as one batch job that the worker fans out (src/queue/alert-batcher.ts):
 * end to end through an in-process `medic serve --role all`, every alert is diagnosed exactly once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../pipeline/recording-notifier.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { waitFor } from '../support/wait.js';

const template = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../shared/scenarios/oom-limit/alert.json'), 'utf8'),
) as { alerts: Record<string, unknown>[] } & Record<string, unknown>;

/** A payload of `count` alerts of one group, fingerprints `base`, `base + 1`, … */
function payload(count: number, base: number): string {
  const alert = template.alerts[0] as Record<string, unknown>;
  const alerts = Array.from({ length: count }, (_, i) => ({
    ...alert,
    fingerprint: (base + i).toString(16).padStart(16, '0'),
  }));
  return JSON.stringify({ ...template, alerts });
}

describe('batch jobs end to end', () => {
  let medic: TestMedic;
  let notifier: RecordingNotifier;

  beforeEach(async () => {
    notifier = new RecordingNotifier();
    medic = await startTestMedic({ role: 'all', overrides: { view: notifier } });
  });
  afterEach(async () => {
    await medic.close();
  });

  const post = async (body: string) => {
    const response = await fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(202);
    return (await response.json()) as { accepted: number; duplicates: number };
  };
  const deduplicated = async () => {
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    return Number(/^medic_alerts_deduplicated_total\{status="firing"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
  };
  const idle = async () => {
    const counts = await medic.queues.alerts.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return (
      counts.waiting === 0 &&
      counts.prioritized === 0 &&
      counts.active === 0 &&
      counts.delayed === 0 &&
      counts.failed === 0
    );
  };

  it('diagnoses each alert of a 12-alert webhook once, and a repeat of it not at all', async () => {
    const body = payload(12, 0xa000);
    expect(await post(body)).toEqual({ accepted: 12, duplicates: 0 });
    await notifier.waitForCalls(12);
    await waitFor(idle, { timeoutMs: 10_000, what: 'the alerts queue to drain' });

    expect(await post(body)).toEqual({ accepted: 0, duplicates: 12 });
    await waitFor(idle, { timeoutMs: 10_000, what: 'the repeat batch to be fanned out' });
    expect(await deduplicated()).toBe(12);
    expect(notifier.calls).toHaveLength(12);
    const fingerprints = notifier.calls.map((call) => call.event.alert.fingerprint);
    expect(new Set(fingerprints).size).toBe(12);
  });

  it('diagnoses once when Alertmanager replicas send the same alerts at the same moment', async () => {
    const body = payload(10, 0xb000);
    // Two HA Alertmanagers: two batches of the same alerts before either is fanned out.
    const answers = await Promise.all([post(body), post(payload(10, 0xb000)), post(body)]);
    expect(answers.reduce((sum, answer) => sum + answer.accepted + answer.duplicates, 0)).toBe(30);
    await notifier.waitForCalls(10);
    await waitFor(idle, { timeoutMs: 10_000, what: 'every batch to be fanned out' });
    expect(notifier.calls).toHaveLength(10);
    expect(new Set(notifier.calls.map((call) => call.event.alert.fingerprint)).size).toBe(10);
  });
});
