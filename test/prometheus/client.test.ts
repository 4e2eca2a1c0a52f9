/**
 * The PromQL Medic sends, answered by a real Prometheus over backfilled cAdvisor and kube-state-metrics series:
 * the throttled share, CPU usage and memory history come out as the playbooks need them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedicError } from '../../src/errors.js';
import { fetchMemoryHistory, queryInstant } from '../../src/prometheus/client.js';
import { fetchCpuHistory } from '../../src/prometheus/cpu.js';
import { BACKFILL, END_SECONDS, HALF, IDLE, OTHER, POD } from './cadvisor-series.js';
import { prometheusMissing, type RunningPrometheus, startPrometheus } from './start-prometheus.js';

const missing = prometheusMissing();
const now = () => END_SECONDS * 1000;

describe.skipIf(missing !== null)(
  `Prometheus client against a real Prometheus${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let prom: RunningPrometheus;
    beforeAll(async () => {
      prom = await startPrometheus(BACKFILL);
    }, 60_000);
    afterAll(async () => {
      await prom?.stop();
    });

    it('measures the throttled share and CPU usage of one container, as CPUThrottlingHigh does', async () => {
      const h = await fetchCpuHistory(prom.url, { namespace: 'checkout', pod: POD, container: 'pricing' }, { now });
      expect(h.throttledShare).toBeCloseTo(0.7, 2);
      expect(h.usageMillis).toBeGreaterThanOrEqual(1970);
      expect(h.usageMillis).toBeLessThanOrEqual(1990);
      expect(h.peakUsageMillis).toBeGreaterThanOrEqual(h.usageMillis ?? 0);
      // The pod cgroup (container="") uses more; it must not leak in.
      expect(h.peakUsageMillis).toBeLessThan(2000);
    });

    it('looks back: an hour ago the same container was throttled 10% of the time at 1.2 cores', async () => {
      const hourAgo = () => (HALF - 60) * 1000;
      const h = await fetchCpuHistory(
        prom.url,
        { namespace: 'checkout', pod: POD, container: 'pricing' },
        { now: hourAgo },
      );
      expect(h.throttledShare).toBeCloseTo(0.1, 2);
      expect(h.usageMillis).toBeCloseTo(1200, -1);
    });

    it('keeps pods apart: the other pod of the workload has its own share', async () => {
      const h = await fetchCpuHistory(prom.url, { namespace: 'checkout', pod: OTHER, container: 'pricing' }, { now });
      expect(h.throttledShare).toBeCloseTo(0.2, 2);
      expect(h.usageMillis).toBeCloseTo(1100, -1);
    });

    it('says "no value" for a container whose counters did not move (0/0 is NaN) or that has no series', async () => {
      const idle = await fetchCpuHistory(prom.url, { namespace: 'checkout', pod: IDLE, container: 'pricing' }, { now });
      expect(idle).toEqual({ throttledShare: null, usageMillis: null, peakUsageMillis: null });
      const raw = await queryInstant(
        prom.url,
        `sum(increase(container_cpu_cfs_throttled_periods_total{pod="${IDLE}"}[5m])) / sum(increase(container_cpu_cfs_periods_total{pod="${IDLE}"}[5m]))`,
        { now },
      );
      expect(raw).toHaveLength(1);
      expect(Number.isNaN(raw[0]?.value)).toBe(true);
      const absent = await fetchCpuHistory(
        prom.url,
        { namespace: 'checkout', pod: 'gone-0', container: 'pricing' },
        { now },
      );
      expect(absent).toEqual({ throttledShare: null, usageMillis: null, peakUsageMillis: null });
    });

    it('charts memory: working set and limit of the container over the last hour', async () => {
      const h = await fetchMemoryHistory(prom.url, { namespace: 'checkout', pod: POD, container: 'pricing' }, 60, {
        now,
      });
      expect(h?.limitBytes).toBe(3 * 2 ** 30);
      expect(h?.series.length).toBeGreaterThan(100);
      const last = h?.series.at(-1);
      expect(last?.t).toBe(END_SECONDS * 1000);
      expect(last?.bytes).toBe(2700 * 2 ** 20 + 7200 * 1000);
    });

    it('answers vector queries over kubelet volume stats with their labels', async () => {
      const [free] = await queryInstant(
        prom.url,
        'kubelet_volume_stats_available_bytes{namespace="checkout"} / kubelet_volume_stats_capacity_bytes{namespace="checkout"}',
        { now },
      );
      expect(free?.labels.persistentvolumeclaim).toBe('rules-cache');
      expect(free?.value).toBeCloseTo(1 - (7200 * 100_000) / (10 * 2 ** 30), 6);
    });

    it('turns a query Prometheus rejects into a permanent UNAVAILABLE error naming its reason', async () => {
      const error = await queryInstant(prom.url, 'sum(rate(container_cpu_usage_seconds_total[5m])', { now }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MedicError);
      expect((error as MedicError).code).toBe('UNAVAILABLE');
      expect((error as MedicError).message).toMatch(/Prometheus refused the query \(bad_data\)/);
      expect((error as MedicError).permanent).toBe(true);
    });
  },
);
