/**
 * Two hours of cAdvisor, kube-state-metrics and kubelet series for the pods of
 * test/scenarios/cpu-throttling-memory-high (checkout/pricing-engine), to backfill into a real Prometheus.
 */
import type { BackfillSeries } from './start-prometheus.js';

/** The fixed "now" of the tests: the end of the backfilled data, two hours of 15 s scrapes. */
export const END_SECONDS = Date.UTC(2026, 10, 27, 11, 20, 0) / 1000;
export const START_SECONDS = END_SECONDS - 2 * 3600;
export const HALF = START_SECONDS + 3600;

const cadvisor = (pod: string, container: string) => ({
  container,
  endpoint: 'https-metrics',
  id: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod.length}.slice/cri-containerd-${container}.scope`,
  image: container === 'POD' ? 'registry.k8s.io/pause:3.10' : `ghcr.io/acme-retail/${container}:3.14.2`,
  instance: '10.40.12.7:10250',
  job: 'kubelet',
  metrics_path: '/metrics/cadvisor',
  name: `${container}-${pod}`,
  namespace: 'checkout',
  node: 'ip-10-40-12-7.eu-west-1.compute.internal',
  pod,
  service: 'kubelet',
});

/** A counter growing by `rate(t)` per second, integrated over the backfill (what cAdvisor exports). */
function counter(name: string, labels: Record<string, string>, rate: (t: number) => number): BackfillSeries {
  return {
    name,
    type: 'counter',
    labels,
    value: (t) => {
      let total = 0;
      for (let s = START_SECONDS; s < t; s += 15) total += rate(s) * 15;
      return Math.round(total * 1000) / 1000;
    },
  };
}

export const POD = 'pricing-engine-7d4b9c6f58-2lq8n';
export const OTHER = 'pricing-engine-7d4b9c6f58-9fz4k';
export const IDLE = 'pricing-engine-7d4b9c6f58-idle1';
const CFS_PERIODS_PER_SECOND = 10; // the default 100 ms CFS period
// The first hour: 10% throttled at 1.2 cores; the last hour: 70% throttled at 1.98 cores (pinned at a 2-core limit).
const share = (t: number) => (t < HALF ? 0.1 : 0.7);
const cores = (t: number) => (t < HALF ? 1.2 : 1.98);

const SERIES: BackfillSeries[] = [
  counter('container_cpu_cfs_periods_total', cadvisor(POD, 'pricing'), () => CFS_PERIODS_PER_SECOND),
  counter(
    'container_cpu_cfs_throttled_periods_total',
    cadvisor(POD, 'pricing'),
    (t) => CFS_PERIODS_PER_SECOND * share(t),
  ),
  counter('container_cpu_usage_seconds_total', cadvisor(POD, 'pricing'), cores),
  // The pod's own cgroup (container="") and the pause container must not be mixed into the container's numbers.
  counter('container_cpu_usage_seconds_total', cadvisor(POD, ''), (t) => cores(t) + 0.07),
  counter('container_cpu_usage_seconds_total', cadvisor(POD, 'POD'), () => 0.0001),
  counter('container_cpu_cfs_periods_total', cadvisor(OTHER, 'pricing'), () => CFS_PERIODS_PER_SECOND),
  counter('container_cpu_cfs_throttled_periods_total', cadvisor(OTHER, 'pricing'), () => CFS_PERIODS_PER_SECOND * 0.2),
  counter('container_cpu_usage_seconds_total', cadvisor(OTHER, 'pricing'), () => 1.1),
  // A container that has a CPU limit but did not run: its counters stand still (0 periods / 0 periods).
  counter('container_cpu_cfs_periods_total', cadvisor(IDLE, 'pricing'), () => 0),
  counter('container_cpu_cfs_throttled_periods_total', cadvisor(IDLE, 'pricing'), () => 0),
  {
    name: 'container_memory_working_set_bytes',
    type: 'gauge',
    labels: cadvisor(POD, 'pricing'),
    value: (t) => 2700 * 2 ** 20 + (t - START_SECONDS) * 1000,
  },
  {
    name: 'kube_pod_container_resource_limits',
    type: 'gauge',
    labels: {
      container: 'pricing',
      job: 'kube-state-metrics',
      namespace: 'checkout',
      node: 'ip-10-40-12-7.eu-west-1.compute.internal',
      pod: POD,
      resource: 'memory',
      uid: 'c1f0a3e2-7b6d-4c5e-9a8f-2d1e0b3c4a5f',
      unit: 'byte',
    },
    value: () => 3 * 2 ** 30,
  },
  {
    name: 'kubelet_volume_stats_capacity_bytes',
    type: 'gauge',
    labels: { job: 'kubelet', metrics_path: '/metrics', namespace: 'checkout', persistentvolumeclaim: 'rules-cache' },
    value: () => 10 * 2 ** 30,
  },
  {
    name: 'kubelet_volume_stats_available_bytes',
    type: 'gauge',
    labels: { job: 'kubelet', metrics_path: '/metrics', namespace: 'checkout', persistentvolumeclaim: 'rules-cache' },
    value: (t) => 10 * 2 ** 30 - (t - START_SECONDS) * 100_000,
  },
];

export const BACKFILL = { series: SERIES, startSeconds: START_SECONDS, endSeconds: END_SECONDS, stepSeconds: 15 };
