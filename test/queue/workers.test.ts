import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { MedicError } from '../../src/errors.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import {
  createQueues,
  type JobContext,
  type MedicQueues,
  type RunningWorker,
  startActionWorker,
  startAlertWorker,
} from '../../src/queue/index.js';
import type { Redis } from '../../src/store/redis.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';

function alertEvent(fingerprint: string, status: 'firing' | 'resolved' = 'firing'): AlertEvent {
  return {
    alert: {
      status,
      labels: { alertname: 'KubePodCrashLooping', namespace: 'ads', pod: 'api-1' },
      annotations: {},
      startsAt: '2026-11-20T03:12:41.234Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint,
    },
    groupKey: '{}:{namespace="ads"}',
    receiver: 'medic',
    externalURL: '',
    groupLabels: {},
    commonLabels: {},
    receivedAt: Date.now(),
  };
}

describe('workers', () => {
  let prefix: string;
  let producer: Redis;
  let workerConnection: Redis;
  let queues: MedicQueues;
  let metrics: Metrics;
  const running: RunningWorker[] = [];

  beforeEach(() => {
    prefix = uniquePrefix('worker');
    producer = connect('producer');
    workerConnection = connect('worker');
    queues = createQueues({ connection: producer, prefix, backoffMs: 10 });
    metrics = createMetrics();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.close()));
    await queues.close();
    producer.disconnect();
    workerConnection.disconnect();
    await deleteKeysUnder(prefix);
  });

  function start(processor: (event: AlertEvent, ctx: JobContext) => Promise<void>): RunningWorker {
    const worker = startAlertWorker({
      connection: workerConnection,
      prefix,
      processors: {
        alert: processor,
        diagnose: async () => Promise.reject(new Error('these tests queue no diagnose requests')),
        verify: async () => Promise.reject(new Error('these tests queue no fix verifications')),
        fanOut: async () => Promise.reject(new Error('these tests queue no batches')),
      },
      concurrency: 2,
      logger: silentLogger,
      metrics,
    });
    running.push(worker);
    return worker;
  }

  it('runs each queued alert once and still ignores a repeat after the job completed', async () => {
    const seen: string[] = [];
    const worker = start(async (event) => {
      seen.push(event.alert.fingerprint);
    });
    const completed = new Promise((resolve) => worker.worker.once('completed', resolve));
    await queues.enqueueAlerts([alertEvent('aa01')]);
    await completed;
    expect(await queues.enqueueAlerts([alertEvent('aa01')])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(seen).toEqual(['aa01']);
    expect(await queues.alerts.getJobCounts('completed', 'waiting')).toEqual({ completed: 1, waiting: 0 });
  });

  it('retries a transient failure with backoff until it succeeds', async () => {
    const attempts: number[] = [];
    const worker = start(async (_event, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('cluster timed out');
    });
    const completed = new Promise((resolve) => worker.worker.once('completed', resolve));
    await queues.enqueueAlerts([alertEvent('bb02')]);
    await completed;
    expect(attempts).toEqual([1, 2, 3]);
    const text = await metrics.registry.getSingleMetricAsString('medic_job_failures_total');
    expect(text).toContain('medic_job_failures_total{queue="alerts",kind="retry"} 2');
  });

  it('gives up at once on a permanent MedicError', async () => {
    let calls = 0;
    const worker = start(async () => {
      calls += 1;
      throw new MedicError('FORBIDDEN', 'medic may not read pods in ads', { permanent: true });
    });
    const failed = new Promise<Error>((resolve) => worker.worker.once('failed', (_job, error) => resolve(error)));
    await queues.enqueueAlerts([alertEvent('cc03')]);
    expect((await failed).name).toBe('UnrecoverableError');
    expect(calls).toBe(1);
    expect(await queues.alerts.getJobCounts('failed')).toEqual({ failed: 1 });
  });

  it('hands the proposal id to the action worker once per proposal', async () => {
    const ids: string[] = [];
    const worker = startActionWorker({
      connection: workerConnection,
      prefix,
      processor: async ({ proposalId }) => {
        ids.push(proposalId);
      },
      concurrency: 1,
      logger: silentLogger,
      metrics,
    });
    running.push(worker);
    const completed = new Promise((resolve) => worker.worker.once('completed', resolve));
    await queues.enqueueAction('p-1');
    await queues.enqueueAction('p-1');
    await completed;
    expect(await queues.enqueueAction('p-1')).toEqual({ enqueued: false });
    expect(ids).toEqual(['p-1']);
  });

  it('aborts a job still running after the shutdown grace period so it is retried later', async () => {
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const worker = startAlertWorker({
      connection: workerConnection,
      prefix,
      concurrency: 1,
      logger: silentLogger,
      metrics,
      shutdownGraceMs: 50,
      processors: {
        alert: (_event, ctx) =>
          new Promise<void>((_resolve, reject) => {
            started();
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
        diagnose: async () => Promise.reject(new Error('no diagnose requests here')),
        verify: async () => Promise.reject(new Error('no fix verifications here')),
        fanOut: async () => Promise.reject(new Error('no batches here')),
      },
    });
    await queues.enqueueAlerts([alertEvent('dd04')]);
    await isStarted;
    await worker.close();
    const counts = await queues.alerts.getJobCounts('delayed', 'waiting', 'active', 'completed');
    expect((counts.delayed ?? 0) + (counts.waiting ?? 0)).toBe(1);
    expect(counts.completed).toBe(0);
  });
});
