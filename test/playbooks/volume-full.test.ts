/** VOLUME_FULL with Prometheus: the fill level now (kubelet volume stats) beats the alert's; a dead Prometheus is partial. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKFILL, END_SECONDS } from '../prometheus/cadvisor-series.js';
import { prometheusMissing, type RunningPrometheus, startPrometheus } from '../prometheus/start-prometheus.js';
import { diagnoseIn, scenarioEvent, scenarioObjects, startSandbox, textOf } from './diagnose-scenario.js';

const DIR = join(import.meta.dirname, '../../../shared/scenarios-next/volume-full-postgres-wal');

/** The scenario's claim moved to where the backfilled series are: checkout/rules-cache, 10Gi. */
function rulesCacheObjects() {
  return scenarioObjects(DIR).map((o) => {
    if (o.kind === 'PersistentVolumeClaim') {
      return {
        ...o,
        metadata: { ...o.metadata, namespace: 'checkout', name: 'rules-cache' },
        spec: { ...o.spec, resources: { requests: { storage: '10Gi' } } },
        status: { ...o.status, capacity: { storage: '10Gi' } },
      };
    }
    return o;
  });
}
const rulesCacheEvent = () =>
  scenarioEvent(DIR, (e) => {
    e.alert.labels.namespace = 'checkout';
    e.alert.labels.persistentvolumeclaim = 'rules-cache';
  });

describe('volume-full when Prometheus is unreachable', () => {
  it('still diagnoses from the alert, says the query failed, and is partial', async () => {
    const sandbox = await startSandbox({ file: join(DIR, 'cluster.yaml') });
    try {
      const d = await diagnoseIn(sandbox, scenarioEvent(DIR), { prometheusUrl: 'http://127.0.0.1:9' });
      expect(d.rootCause.code).toBe('VOLUME_FULL');
      expect(d.partial).toBe(true);
      expect(textOf(d)).toMatch(/Prometheus query failed, usage taken from the alert/);
      expect(textOf(d)).toContain('2.114% free (about 98Gi of 100Gi used), from the alert');
      expect(d.actions.map((a) => a.kind)).toEqual(['resize-pvc']);
    } finally {
      await sandbox.close();
    }
  });
});

const missing = prometheusMissing();
describe.skipIf(missing !== null)(
  `volume-full with a real Prometheus${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let prom: RunningPrometheus;
    beforeAll(async () => {
      prom = await startPrometheus(BACKFILL);
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
    });

    it('reports the level Prometheus measures now and sizes the resize from it', async () => {
      const sandbox = await startSandbox({ objects: rulesCacheObjects() });
      try {
        const d = await diagnoseIn(sandbox, rulesCacheEvent(), {
          prometheusUrl: prom.url,
          now: () => END_SECONDS * 1000,
        });
        expect(d.partial).toBe(false);
        // 10Gi drained by 100 kB/s for two hours: about 687Mi used, 93.3% free (the alert said 2.114%).
        expect(textOf(d)).toMatch(
          /Space: 93\.\d+% free \(about 68\dMi of 10Gi used\), from Prometheus \(kubelet volume stats\)/,
        );
        expect(d.actions[0]?.params).toEqual({ namespace: 'checkout', pvc: 'rules-cache', size: '15Gi' });
      } finally {
        await sandbox.close();
      }
    });
  },
);
