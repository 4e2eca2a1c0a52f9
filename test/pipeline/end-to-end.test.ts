import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { RecordingNotifier } from './recording-notifier.js';

const SCENARIO = join(import.meta.dirname, '../../../shared/scenarios/unknown-healthy/alert.json');

describe('webhook to diagnosis, end to end', () => {
  let medic: TestMedic;
  const notifier = new RecordingNotifier();

  beforeAll(async () => {
    medic = await startTestMedic({ role: 'all', overrides: { view: notifier } });
  });
  afterAll(async () => {
    await medic.close();
  });

  const post = (body: unknown) =>
    fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('diagnoses a webhook alert once, however often Alertmanager repeats it, and records its resolve', async () => {
    const body = JSON.parse(readFileSync(SCENARIO, 'utf8'));
    const fingerprint: string = body.alerts[0].fingerprint;
    expect((await post(body)).status).toBe(202);
    await notifier.waitForCalls(body.alerts.length);
    expect((await post(body)).status).toBe(202);

    const resolved = structuredClone(body);
    resolved.status = 'resolved';
    resolved.alerts = resolved.alerts.slice(0, 1);
    resolved.alerts[0].status = 'resolved';
    expect((await post(resolved)).status).toBe(202);
    await notifier.waitForCalls(body.alerts.length + 1);

    const records = await medic.store.list({ fingerprint });
    expect(records.map((r) => [r.kind, r.diagnosis?.rootCause.code])).toEqual([
      ['diagnosis', 'UNKNOWN'],
      ['resolve', undefined],
    ]);
    expect(notifier.calls.filter((c) => c.event.alert.fingerprint === fingerprint).map((c) => c.type)).toEqual([
      'firing',
      'resolved',
    ]);
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    expect(metrics).toContain('medic_diagnoses_total{root_cause="UNKNOWN",playbook="fallback"}');
    expect(metrics).toMatch(/medic_job_duration_seconds_count\{queue="alerts",outcome="ok"\} [1-9]/);
  });
});
