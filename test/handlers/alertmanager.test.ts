import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from '../../src/store/redis.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { connect, snapshotKeys } from '../support/redis.js';

const SCENARIOS = join(import.meta.dirname, '../../../shared/scenarios');
const TOKEN = 's3cret-token';
const scenarioBodies = readdirSync(SCENARIOS).map((name) => ({
  name,
  body: JSON.parse(readFileSync(join(SCENARIOS, name, 'alert.json'), 'utf8')) as Record<string, any>,
}));
const payload = () => structuredClone(scenarioBodies[0]!.body);

describe('POST /alertmanager', () => {
  let medic: TestMedic;
  let redis: Redis;

  beforeAll(async () => {
    medic = await startTestMedic({ env: { ALERTMANAGER_TOKEN: TOKEN, MEDIC_BODY_LIMIT: '64kb' } });
    redis = connect('store');
  });
  afterAll(async () => {
    redis.disconnect();
    await medic.close();
  });

  function post(body: string | object, headers: Record<string, string> = {}) {
    return fetch(`${medic.url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  it('queues every alert of every scenario payload and answers 202 with the count', async () => {
    for (const { name, body } of scenarioBodies) {
      const response = await post(body);
      expect(response.status, name).toBe(202);
      expect(await response.json(), name).toEqual({ accepted: body.alerts.length, duplicates: 0 });
    }
    const total = scenarioBodies.reduce((n, s) => n + s.body.alerts.length, 0);
    expect(await medic.queues.alerts.count()).toBe(total);
  });

  it('adds nothing when Alertmanager repeats the same payload, and counts the duplicates', async () => {
    const before = await medic.queues.alerts.count();
    const body = scenarioBodies[1]!.body;
    const response = await post({ ...body, notification_reason: 'repeat interval elapsed' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0, duplicates: body.alerts.length });
    expect(await medic.queues.alerts.count()).toBe(before);
    const metrics = await (await fetch(`${medic.url}/metrics`)).text();
    expect(metrics).toMatch(/medic_alerts_deduplicated_total\{status="firing"\} [1-9]/);
    expect(metrics).toMatch(/medic_alerts_received_total\{status="firing"\} [1-9]/);
    expect(metrics).toContain('medic_queue_depth{queue="alerts",state="waiting"}');
  });

  it('queues the resolve of an already queued alert as a new job', async () => {
    const body = payload();
    body.status = 'resolved';
    body.alerts = body.alerts.slice(0, 1);
    body.alerts[0].status = 'resolved';
    body.alerts[0].endsAt = '2026-11-20T04:00:00Z';
    const response = await post(body);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const jobs = await medic.queues.alerts.getJobs(['waiting', 'prioritized']);
    const fingerprint = body.alerts[0].fingerprint;
    expect(
      jobs
        .filter((j) => ('alert' in j.data ? j.data.alert.fingerprint : '') === fingerprint)
        .map((j) => j.name)
        .sort(),
    ).toEqual(['firing', 'resolved']);
  });

  it('accepts the token as the password of basic auth, whatever the user name', async () => {
    const body = payload();
    body.alerts[0].fingerprint = 'abcdef0123456789';
    const basic = Buffer.from(`alertmanager:${TOKEN}`).toString('base64');
    const response = await post(body, { authorization: `Basic ${basic}` });
    expect(response.status).toBe(202);
  });

  const wrongType = (mutate: (body: any) => void) => {
    const body = payload();
    mutate(body);
    return body;
  };
  const badInputs: { name: string; send: () => Promise<Response>; status: number; field?: string }[] = [
    { name: 'malformed JSON', send: () => post('{"version": "4", "alerts": ['), status: 400, field: '(body)' },
    { name: 'a wrong version', send: () => post({ ...payload(), version: '3' }), status: 400, field: 'version' },
    {
      name: 'missing alerts',
      send: () => post(wrongType((b) => delete b.alerts)),
      status: 400,
      field: 'alerts',
    },
    { name: 'an empty alert list', send: () => post({ ...payload(), alerts: [] }), status: 400, field: 'alerts' },
    {
      name: 'a bad alert status',
      send: () => post(wrongType((b) => (b.alerts[0].status = 'burning'))),
      status: 400,
      field: 'alerts[0].status',
    },
    {
      name: 'a label that is not a string',
      send: () => post(wrongType((b) => (b.alerts[0].labels.severity = 3))),
      status: 400,
      field: 'alerts[0].labels.severity',
    },
    {
      name: 'a fingerprint that is not hex',
      send: () => post(wrongType((b) => (b.alerts[0].fingerprint = 'not-a-fingerprint'))),
      status: 400,
      field: 'alerts[0].fingerprint',
    },
    { name: 'a JSON array', send: () => post('[]'), status: 400, field: '(body)' },
    {
      name: 'a body over the size limit',
      send: () => post(wrongType((b) => (b.commonAnnotations.description = 'x'.repeat(70 * 1024)))),
      status: 413,
      field: '(body)',
    },
    {
      name: 'a body that is not JSON',
      send: () => post('version=4', { 'content-type': 'application/x-www-form-urlencoded' }),
      status: 415,
      field: 'content-type',
    },
    { name: 'no token', send: () => post(payload(), { authorization: '' }), status: 401, field: 'authorization' },
    {
      name: 'a wrong bearer token',
      send: () => post(payload(), { authorization: 'Bearer s3cret-tokem' }),
      status: 401,
      field: 'authorization',
    },
    {
      name: 'a wrong token of another length',
      send: () => post(payload(), { authorization: 'Bearer x' }),
      status: 401,
      field: 'authorization',
    },
    {
      name: 'wrong basic auth',
      send: () => post(payload(), { authorization: `Basic ${Buffer.from('alertmanager:guess').toString('base64')}` }),
      status: 401,
      field: 'authorization',
    },
    {
      name: 'another auth scheme',
      send: () => post(payload(), { authorization: `Token ${TOKEN}` }),
      status: 401,
      field: 'authorization',
    },
  ];

  for (const bad of badInputs) {
    it(`answers ${bad.status} naming the field for ${bad.name}, and changes nothing in Redis`, async () => {
      const before = await snapshotKeys(redis, medic.config.queuePrefix);
      const response = await bad.send();
      expect(response.status).toBe(bad.status);
      const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
      expect(body.error.message.length).toBeGreaterThan(10);
      expect(body.error.field).toBe(bad.field);
      expect(await snapshotKeys(redis, medic.config.queuePrefix)).toEqual(before);
    });
  }
});
