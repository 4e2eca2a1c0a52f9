/**
 * CPU_THROTTLING through the real engine, client and sandbox: the share from the alert or from a real Prometheus,
 * a share that is not a number, Prometheus down — and never a memory-limit change for throttling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { BACKFILL, END_SECONDS } from '../prometheus/cadvisor-series.js';
import { prometheusMissing, type RunningPrometheus, startPrometheus } from '../prometheus/start-prometheus.js';
import { freePort } from '../support/ports.js';
import { diagnoseIn, scenarioEvent, scenarioObjects, startSandbox, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/cpu-throttling-memory-high';
const now = () => END_SECONDS * 1000;
const nanShare = () =>
  scenarioEvent(DIR, (e) => {
    e.alert.annotations.description = e.alert.annotations.description?.replace('83.17%', 'NaN%') ?? '';
  });

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ objects: scenarioObjects(DIR) });
});
afterAll(() => sandbox.close());

describe('cpu-throttling playbook', () => {
  it('raises the CPU limit (2× of 2 cores, with the reason) and offers no memory change although memory is at 93%', async () => {
    const d = await diagnoseIn(sandbox, scenarioEvent(DIR));
    expect(d.rootCause.code).toBe('CPU_THROTTLING');
    expect(d.partial).toBe(false);
    expect(d.actions.map((a) => a.kind)).toEqual(['set-cpu-limit']);
    expect(d.actions[0]?.params).toEqual({
      namespace: 'checkout',
      workload: 'Deployment/pricing-engine',
      container: 'pricing',
      limit: '4',
    });
    const text = textOf(d);
    expect(text).toMatch(/83\.2% of the CFS periods/);
    expect(text).toMatch(/Why 4 cores: 4 cores is 2× the 2 cores limit/);
    expect(text).toMatch(/memory 2871Mi of 3Gi \(not OOM-killed, so not the cause\)/);
  });

  it('says what is missing when the alert carries a share that is not a number, and still diagnoses from usage', async () => {
    const d = await diagnoseIn(sandbox, nanShare());
    expect(d.rootCause.code).toBe('CPU_THROTTLING');
    expect(d.partial).toBe(true);
    expect(textOf(d)).toMatch(/throttled share "NaN%" is not a number/);
    expect(textOf(d)).not.toMatch(/NaN% of/);
  });

  it('reports Prometheus failing as evidence and a partial diagnosis, never a crash', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const d = await diagnoseIn(sandbox, scenarioEvent(DIR), { prometheusUrl: closed, now });
    expect(d.rootCause.code).toBe('CPU_THROTTLING');
    expect(d.partial).toBe(true);
    expect(textOf(d)).toMatch(
      /Prometheus query failed, diagnosis made without CPU history: Prometheus at .* did not answer/,
    );
    expect(d.actions.map((a) => a.kind)).toEqual(['set-cpu-limit']);
  });
});

const missing = prometheusMissing();
describe.skipIf(missing !== null)(
  `cpu-throttling with a real Prometheus${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let prom: RunningPrometheus;
    beforeAll(async () => {
      prom = await startPrometheus(BACKFILL);
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
    });

    it('adds the measured share and the usage peak of the last hour', async () => {
      const d = await diagnoseIn(sandbox, scenarioEvent(DIR), { prometheusUrl: prom.url, now });
      expect(d.rootCause).toMatchObject({ code: 'CPU_THROTTLING', confidence: 'high' });
      expect(d.partial).toBe(false);
      expect(textOf(d)).toMatch(
        /Prometheus, pricing in pod pricing-engine-7d4b9c6f58-2lq8n: 70% of CFS periods throttled over the last 5 minutes, usage 19[78]\dm now, peak 19[78]\dm in the last hour \(99% of the limit\)/,
      );
      // The summary's share is the measured one, not the alert's older 83%.
      expect(d.rootCause.summary).toMatch(/: 70% of its CFS periods are throttled/);
    });

    it('takes the share from Prometheus when the alert carries one that is not a number: not partial', async () => {
      const d = await diagnoseIn(sandbox, nanShare(), { prometheusUrl: prom.url, now });
      expect(d.rootCause.code).toBe('CPU_THROTTLING');
      expect(d.partial).toBe(false);
      expect(d.rootCause.summary).toMatch(/70% of its CFS periods are throttled/);
    });
  },
);
