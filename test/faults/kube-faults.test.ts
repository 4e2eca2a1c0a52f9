/**
 * Fault 4: the Kubernetes API misbehaves (every request 500, requests that hang until the client's timeout,
 * 50 % of requests failing). Diagnoses are still recorded and posted, marked partial, within a bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sandbox/index.js';
import type { DiagnosisRecord } from '../../src/store/diagnoses.js';
import { createDiagnosisStore } from '../../src/store/diagnoses.js';
import { readScenarioObjects, SCENARIOS_DIR, type TestPayload } from '../support/alerts.js';
import type { MedicProcess } from '../support/medic-process.js';
import { connect, type Redis } from '../support/redis.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { type Stack, startStack } from '../support/stack.js';
import { rebuildThreads } from '../support/threads.js';
import { waitFor } from '../support/wait.js';

const SCENARIOS = ['oom-limit', 'crashloop-config-error', 'volume-attach-zone-outage'];
/** A diagnosis may make several sequential requests, each bounded by the client's 5 s timeout. */
const BOUND_MS = 45_000;

let serial = 0;
function alertsFor(tag: string): TestPayload[] {
  return SCENARIOS.map((name) => {
    const payload = JSON.parse(readFileSync(join(SCENARIOS_DIR, name, 'alert.json'), 'utf8')) as TestPayload;
    serial += 1;
    const fingerprint = `${(Date.now() & 0xffffff).toString(16).padStart(8, '0')}${serial.toString(16).padStart(8, '0')}`;
    return { ...payload, groupKey: `${payload.groupKey}:${tag}`, alerts: [{ ...payload.alerts[0]!, fingerprint }] };
  });
}

describe('Kubernetes API faults', () => {
  let stack: Stack;
  let medic: MedicProcess;
  let redis: Redis;

  beforeAll(async () => {
    const objects = readScenarioObjects(...SCENARIOS);
    stack = await startStack({ sandbox: { objects } });
    medic = await stack.startMedic('all');
    redis = connect('store', stack.redis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  async function diagnoseUnder(tag: string, faults: FaultRule[]) {
    stack.sandbox.setFaults(faults);
    const payloads = alertsFor(tag);
    const sender = createAlertmanagerSender({ url: `${medic.baseUrl}/alertmanager` });
    const started = Date.now();
    await sender.sendAll(payloads, 3);
    const fingerprints = payloads.map((p) => p.alerts[0]!.fingerprint);
    const store = createDiagnosisStore({ redis, prefix: stack.prefix });
    const records = await waitFor(
      async () => {
        const list = (await store.list()).filter((r) => fingerprints.includes(r.fingerprint));
        return list.length === fingerprints.length ? list : undefined;
      },
      { timeoutMs: BOUND_MS, intervalMs: 100, what: `diagnoses under ${tag}` },
    );
    const elapsedMs = Date.now() - started;
    await waitFor(
      () => {
        const posted = rebuildThreads(stack.slackCalls).repliesPerFingerprint;
        return fingerprints.every((fp) => posted.has(fp));
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `the Slack replies under ${tag}` },
    );
    stack.sandbox.setFaults([]);
    const summary = records.map(
      (r: DiagnosisRecord) => `${r.diagnosis?.rootCause.code}${r.diagnosis?.partial ? ' (partial)' : ''}`,
    );
    console.log(`FAULT kube-${tag} ${JSON.stringify({ elapsedMs, diagnoses: summary })}`);
    return { records, elapsedMs };
  }

  it('still diagnoses, marked partial, when every API request answers 500', async () => {
    const { records } = await diagnoseUnder('all-500', [{ status: 500 }]);
    for (const r of records) expect(r.diagnosis?.partial, JSON.stringify(r.diagnosis)).toBe(true);
  });

  it('still diagnoses within the bound when API requests hang until the client times out', async () => {
    const { records, elapsedMs } = await diagnoseUnder('hang', [{ path: '/events', hang: true, maxHangMs: 60_000 }]);
    expect(elapsedMs).toBeLessThan(BOUND_MS);
    expect(records.some((r) => r.diagnosis?.partial)).toBe(true);
  });

  it('still diagnoses every alert when half of the API requests fail', async () => {
    const { records } = await diagnoseUnder('half-500', [{ status: 500, probability: 0.5 }]);
    expect(records).toHaveLength(SCENARIOS.length);
    // Evidence must say what could not be read whenever the diagnosis is partial.
    for (const r of records.filter((x) => x.diagnosis?.partial)) {
      expect(JSON.stringify(r.diagnosis?.evidence)).toMatch(/fail|error|could not|unavailable|500/i);
    }
  });
});
