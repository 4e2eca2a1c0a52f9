/**
 * The claim fill level Medic asks Prometheus for, answered by a real Prometheus over backfilled kubelet volume
 * stats (the series KubePersistentVolumeFillingUp is written over); and an unreachable Prometheus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchVolumeUsage } from '../../src/prometheus/volume.js';
import { BACKFILL, END_SECONDS, START_SECONDS } from './cadvisor-series.js';
import { prometheusMissing, type RunningPrometheus, startPrometheus } from './start-prometheus.js';

const missing = prometheusMissing();
const now = () => END_SECONDS * 1000;

describe.skipIf(missing !== null)(
  `volume usage from a real Prometheus${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let prom: RunningPrometheus;
    beforeAll(async () => {
      prom = await startPrometheus(BACKFILL);
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
    });

    it('reads capacity and available bytes of one claim; no inode series is "no value", not zero', async () => {
      const u = await fetchVolumeUsage(prom.url, { namespace: 'checkout', pvc: 'rules-cache' }, { now });
      expect(u.capacityBytes).toBe(10 * 2 ** 30);
      // The backfill drains 100 kB per second from the start: the last sample is at most one step old.
      const drained = 10 * 2 ** 30 - (u.availableBytes ?? 0);
      expect(drained).toBeGreaterThan((END_SECONDS - START_SECONDS - 30) * 100_000);
      expect(drained).toBeLessThanOrEqual((END_SECONDS - START_SECONDS) * 100_000);
      expect(u.inodesFreeShare).toBeNull();
    });

    it('a claim without series has no values at all', async () => {
      const u = await fetchVolumeUsage(prom.url, { namespace: 'checkout', pvc: 'nope' }, { now });
      expect(u).toEqual({ capacityBytes: null, availableBytes: null, inodesFreeShare: null });
    });
  },
);

describe('volume usage when Prometheus is down', () => {
  it('throws a MedicError the playbook turns into evidence', async () => {
    const error = await fetchVolumeUsage('http://127.0.0.1:9', { namespace: 'a', pvc: 'b' }, { timeoutMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'MedicError' });
  });
});
