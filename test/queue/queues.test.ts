import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { MedicError } from '../../src/errors.js';
import { ALERT_BATCH_JOB } from '../../src/queue/alert-batcher.js';
import { alertJobId, createQueues, isAlertBatch, type MedicQueues } from '../../src/queue/index.js';
import type { Redis } from '../../src/store/redis.js';
import { connect, deleteKeysUnder, uniquePrefix } from '../support/redis.js';

const SCENARIOS = join(import.meta.dirname, '../../../shared/scenarios');
const scenarioEvents = () =>
  readdirSync(SCENARIOS).flatMap((name) => {
    const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(join(SCENARIOS, name, 'alert.json'), 'utf8')));
    return toAlertEvents(payload, Date.now());
  });

describe('queues', () => {
  let prefix: string;
  let redis: Redis;
  let queues: MedicQueues;

  beforeEach(() => {
    prefix = uniquePrefix('queue');
    redis = connect('producer');
    // One job per alert however many arrive together; the batch path has its own tests below.
    queues = createQueues({ connection: redis, prefix, batchThreshold: Number.POSITIVE_INFINITY });
  });
  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    await deleteKeysUnder(prefix);
  });

  it('queues every alert of every scenario payload as a job on the alerts queue', async () => {
    const events = scenarioEvents();
    const result = await queues.enqueueAlerts(events);
    expect(result).toMatchObject({ accepted: events.length, duplicates: 0 });
    const jobs = await queues.alerts.getJobs(['waiting', 'prioritized']);
    expect(jobs.map((j) => j.id).sort()).toEqual(events.map(alertJobId).sort());
    expect(jobs.every((j) => !String(j.id).includes(':'))).toBe(true);
  });

  it('adds nothing for a repeat of the same alerts and counts them as duplicates', async () => {
    const events = scenarioEvents();
    await queues.enqueueAlerts(events);
    const repeat = await queues.enqueueAlerts(events.map((e) => ({ ...e, receivedAt: e.receivedAt + 300_000 })));
    expect(repeat).toMatchObject({ accepted: 0, duplicates: events.length });
    expect(await queues.alerts.count()).toBe(events.length);
  });

  it('counts a second copy of one alert inside the same payload as a duplicate', async () => {
    const [event] = scenarioEvents();
    const result = await queues.enqueueAlerts([event!, event!]);
    expect(result).toEqual({ accepted: 1, duplicates: 1, duplicateFlags: [false, true] });
  });

  it('stores webhooks that arrive together in one batch and still answers each for its own alerts', async () => {
    const [a, b, c] = scenarioEvents();
    const [first, second] = await Promise.all([queues.enqueueAlerts([a!, b!]), queues.enqueueAlerts([b!, c!])]);
    expect(first).toEqual({ accepted: 2, duplicates: 0, duplicateFlags: [false, false] });
    expect(second).toEqual({ accepted: 1, duplicates: 1, duplicateFlags: [true, false] });
    expect(await queues.alerts.count()).toBe(3);
  });

  it('queues the resolve of an already queued firing alert as a new job', async () => {
    const [event] = scenarioEvents();
    await queues.enqueueAlerts([event!]);
    const resolved = { ...event!, alert: { ...event!.alert, status: 'resolved' as const } };
    expect(await queues.enqueueAlerts([resolved])).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await queues.alerts.getJobs(['waiting', 'prioritized'])).map((j) => j.name).sort()).toEqual([
      'firing',
      'resolved',
    ]);
  });

  it('enqueues one action job per proposal id, however often it is enqueued', async () => {
    expect(await queues.enqueueAction('prop_abc-123')).toEqual({ enqueued: true });
    expect(await queues.enqueueAction('prop_abc-123')).toEqual({ enqueued: false });
    const jobs = await queues.actions.getJobs(['waiting']);
    expect(jobs.map((j) => [j.id, j.data])).toEqual([['prop_abc-123', { proposalId: 'prop_abc-123' }]]);
  });

  it('refuses a proposal id BullMQ cannot use as a job id, and queues nothing', async () => {
    await expect(queues.enqueueAction('a:b')).rejects.toBeInstanceOf(MedicError);
    await expect(queues.enqueueAction('12345')).rejects.toMatchObject({ code: 'BAD_REQUEST', permanent: true });
    expect(await queues.actions.count()).toBe(0);
  });

  it('answers UNAVAILABLE at once when Redis is not connected', async () => {
    const dead = connect('producer', 'redis://127.0.0.1:1');
    const deadQueues = createQueues({ connection: dead, prefix });
    const started = Date.now();
    await expect(deadQueues.enqueueAlerts(scenarioEvents())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(500);
    dead.disconnect();
    await deadQueues.close().catch(() => undefined);
  });

  describe('batches: many alerts arriving together', () => {
    let batching: MedicQueues;
    beforeEach(() => {
      batching = createQueues({ connection: redis, prefix, batchThreshold: 3 });
    });
    afterEach(async () => {
      await batching.close();
    });

    const perAlertJobIds = async () =>
      (await batching.alerts.getJobs(['waiting', 'prioritized']))
        .filter((job) => !isAlertBatch(job.data))
        .map((job) => job.id)
        .sort();

    it('stores them as one batch job that fans out into one job per alert', async () => {
      const events = scenarioEvents();
      expect(events.length).toBeGreaterThanOrEqual(3);
      const result = await batching.enqueueAlerts(events);
      expect(result).toMatchObject({ accepted: events.length, duplicates: 0 });
      const [batchJob, ...others] = await batching.alerts.getJobs(['waiting', 'prioritized']);
      expect(others).toEqual([]);
      expect(batchJob?.name).toBe(ALERT_BATCH_JOB);
      expect(batchJob?.data).toEqual({ batch: events });
      expect(batchJob?.opts).toMatchObject({ attempts: 10, removeOnComplete: true });

      expect(await batching.fanOutAlerts(events)).toMatchObject({ accepted: events.length, duplicates: 0 });
      expect(await perAlertJobIds()).toEqual(events.map(alertJobId).sort());
    });

    it('keeps few alerts as per-alert jobs at once', async () => {
      const [a, b] = scenarioEvents();
      expect(await batching.enqueueAlerts([a!, b!])).toEqual({
        accepted: 2,
        duplicates: 0,
        duplicateFlags: [false, false],
      });
      expect(await perAlertJobIds()).toEqual([alertJobId(a!), alertJobId(b!)].sort());
    });

    it('fans out idempotently: a retried fan-out or a second batch of the same alerts queues nothing twice', async () => {
      const events = scenarioEvents();
      await batching.fanOutAlerts(events);
      const again = await batching.fanOutAlerts([...events, events[0]!]);
      expect(again.accepted).toBe(0);
      expect(again.duplicates).toBe(events.length + 1);
      expect(await perAlertJobIds()).toEqual(events.map(alertJobId).sort());
    });

    it('answers a repeat of alerts already fanned out as duplicates, and the fan-out of the repeat adds nothing', async () => {
      const events = scenarioEvents();
      await batching.fanOutAlerts(events);
      const repeat = await batching.enqueueAlerts(events);
      expect(repeat).toMatchObject({ accepted: 0, duplicates: events.length });
      const batchJobs = (await batching.alerts.getJobs(['waiting', 'prioritized'])).filter((job) =>
        isAlertBatch(job.data),
      );
      expect(batchJobs).toHaveLength(1);
      expect((await batching.fanOutAlerts(events)).accepted).toBe(0);
      expect(await perAlertJobIds()).toEqual(events.map(alertJobId).sort());
    });
  });
});
