import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { MedicError } from '../../src/errors.js';
import { alertJobId, createQueues, type MedicQueues } from '../../src/queue/index.js';
import type { Redis } from '../../src/store/redis.js';
import { connect, deleteKeysUnder, uniquePrefix } from '../helpers/redis.js';

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
    queues = createQueues({ connection: redis, prefix });
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
    const jobs = await queues.alerts.getJobs(['waiting']);
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
    expect((await queues.alerts.getJobs(['waiting'])).map((j) => j.name).sort()).toEqual(['firing', 'resolved']);
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
});
