/**
 * Medic's Prometheus metrics on a registry of their own (never prom-client's global one: tests build many
 * Medic instances in one process). Other modules register their metrics on `metrics.registry`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertEvent } from './alertmanager/payload.js';

/**
 * The resource of a Kubernetes API path, without names (bounded label values):
 * `/api/v1/namespaces/ads/pods/x/log` → `pods/log`, `/apis/apps/v1/namespaces/ads/deployments/x/scale` →
 * `deployments/scale`, `/api/v1/nodes` → `nodes`.
 */
export function kubeResourceOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const scoped = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  const [resource = 'discovery', , subresource] = scoped;
  return subresource ? `${resource}/${subresource}` : resource;
}

/** Adds the alerts of `events` (those whose `which` flag is true, when given) to a counter by alert status. */
export function countByAlertStatus(counter: Counter<'status'>, events: AlertEvent[], which?: boolean[]): void {
  let firing = 0;
  let resolved = 0;
  events.forEach((event, index) => {
    if (which && !which[index]) return;
    if (event.alert.status === 'firing') firing += 1;
    else resolved += 1;
  });
  if (firing > 0) counter.inc({ status: 'firing' }, firing);
  if (resolved > 0) counter.inc({ status: 'resolved' }, resolved);
}

/** A queue whose job counts feed `medic_queue_depth` when /metrics is scraped. */
export interface QueueDepthSource {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

export const QUEUE_DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

export interface Metrics {
  registry: Registry;
  alertsReceived: Counter<'status'>;
  alertsDeduplicated: Counter<'status'>;
  intakeDuration: Histogram<'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  jobFailures: Counter<'queue' | 'kind'>;
  diagnoses: Counter<'root_cause' | 'playbook'>;
  /** Alerts answered with the diagnosis of another alert about the same object (src/pipeline/shared-diagnoses.ts). */
  diagnosesShared: Counter<'root_cause'>;
  /** The checks after successful actions (src/incidents/verify.ts), by action kind and what they found. */
  fixVerifications: Counter<'kind' | 'outcome'>;
  kubeRequests: Histogram<'method' | 'resource' | 'code' | 'cluster'>;
  /**
   * Records one Kubernetes API request (the client's `onRequest` hook); `cluster` is the configured cluster's name
   * when Medic serves several (the series of one unnamed cluster carry no `cluster` label).
   */
  observeKubeRequest(info: {
    method: string;
    path: string;
    status: number;
    durationMs: number;
    cluster?: string;
  }): void;
  /** Makes `medic_queue_depth` report these queues' job counts at scrape time. */
  observeQueues(queues: QueueDepthSource[]): void;
}

export interface MetricsOptions {
  /** Also export process_* and nodejs_* metrics (the server does; tests need not). */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const sources: QueueDepthSource[] = [];

  const queueDepth = new Gauge({
    name: 'medic_queue_depth',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const perQueue = await Promise.all(
        sources.map(async (queue) => {
          try {
            return { queue: queue.name, counts: await queue.getJobCounts(...QUEUE_DEPTH_STATES) };
          } catch {
            // Redis unreachable: the series disappear for this scrape; /readyz reports the outage.
            return { queue: queue.name, counts: {} };
          }
        }),
      );
      for (const { queue, counts } of perQueue) {
        for (const [state, value] of Object.entries(counts)) this.set({ queue, state }, value);
      }
    },
  });

  const kubeRequests = new Histogram({
    name: 'medic_kube_request_duration_seconds',
    help: 'Answered Kubernetes API requests by method, resource and HTTP status',
    labelNames: ['method', 'resource', 'code', 'cluster'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return {
    registry,
    alertsReceived: new Counter({
      name: 'medic_alerts_received_total',
      help: 'Alerts received in valid webhooks that were durably queued or found queued already, by alert status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    alertsDeduplicated: new Counter({
      name: 'medic_alerts_deduplicated_total',
      help: 'Alerts dropped at intake because the same alert in the same state was already queued',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    intakeDuration: new Histogram({
      name: 'medic_intake_duration_seconds',
      help: 'Time to validate and durably enqueue one Alertmanager webhook',
      labelNames: ['outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
      registers: [registry],
    }),
    queueDepth,
    jobDuration: new Histogram({
      name: 'medic_job_duration_seconds',
      help: 'Time a worker spent on one job attempt',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'medic_job_failures_total',
      help: 'Failed job attempts; kind=permanent gives up, kind=retry will be retried with backoff',
      labelNames: ['queue', 'kind'] as const,
      registers: [registry],
    }),
    diagnoses: new Counter({
      name: 'medic_diagnoses_total',
      help: 'Diagnoses recorded, by root cause and playbook',
      labelNames: ['root_cause', 'playbook'] as const,
      registers: [registry],
    }),
    diagnosesShared: new Counter({
      name: 'medic_diagnoses_shared_total',
      help: 'Alerts answered with the diagnosis of an alert about the same object read the same way, by root cause',
      labelNames: ['root_cause'] as const,
      registers: [registry],
    }),
    fixVerifications: new Counter({
      name: 'medic_fix_verifications_total',
      help: 'Checks after a successful action, by action kind and outcome (fixed, not fixed, changed, not checked)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    kubeRequests,
    observeKubeRequest(info) {
      kubeRequests.observe(
        {
          method: info.method,
          resource: kubeResourceOf(info.path),
          code: String(info.status),
          ...(info.cluster ? { cluster: info.cluster } : {}),
        },
        info.durationMs / 1000,
      );
    },
    observeQueues(queues) {
      sources.push(...queues);
    },
  };
}

/** The Slack adapter's counters (approval decisions, 429s), on Medic's registry. */
export function slackCounters(registry: Registry) {
  return {
    decisions: new Counter({
      name: 'medic_slack_approval_decisions_total',
      help: 'Approve-button clicks by decision (approved, or the refusal reason)',
      labelNames: ['decision'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'medic_slack_rate_limited_total',
      help: 'Slack Web API answers 429 (the client waits Retry-After and retries)',
      registers: [registry],
    }),
  };
}
