/**
 * Property: whatever bytes arrive at POST /alertmanager, a bad body gets a 4xx with a JSON error, never a
 * 5xx or a crash, and Redis is left exactly as it was (every key under the test's prefix, byte for byte).
 */
import type { Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { createQueues, type MedicQueues } from '../../src/queue/queues.js';
import { createApp } from '../../src/server/app.js';
import type { Redis } from '../../src/store/redis.js';
import { alertmanagerWebhook } from '../../src/wiring.js';
import { createHttpClient } from '../support/http.js';
import { connect, deleteKeysUnder, keysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { brokenPayload, notJson, validPayload, wrongShapeJson } from './webhook-arbitraries.js';

const TOKEN = 'fuzz-token';
/** Cases per property; FUZZ_RUNS raises it for a longer hunt (the default keeps `npm test` fast on 2 cores). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);

/** Every key under the prefix with its serialized value: equal digests mean Redis did not change. */
async function redisDigest(redis: Redis, prefix: string): Promise<string[]> {
  const keys = await keysUnder(redis, prefix);
  return Promise.all(keys.map(async (key) => `${key}=${(await redis.dumpBuffer(key))?.toString('base64')}`));
}

describe('POST /alertmanager under fuzzed bodies', () => {
  const prefix = uniquePrefix('fuzz-webhook');
  let producer: Redis;
  let inspector: Redis;
  let queues: MedicQueues;
  let server: Server;
  let url: string;
  const http = createHttpClient();

  beforeAll(async () => {
    producer = connect('producer');
    inspector = connect('store');
    queues = createQueues({ connection: producer, prefix, logger: silentLogger });
    // BullMQ writes each queue's meta key once at start-up; let that happen before the first digest.
    await Promise.all([queues.alerts.waitUntilReady(), queues.actions.waitUntilReady()]);
    const metrics = createMetrics();
    const app = createApp({
      logger: silentLogger,
      metrics,
      bodyLimit: '64kb',
      webhook: alertmanagerWebhook(TOKEN, queues.enqueueAlerts, metrics),
      readinessChecks: {},
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}/alertmanager`;
  });

  afterAll(async () => {
    http.close();
    await new Promise((resolve) => server.close(resolve));
    await queues.close();
    producer.disconnect();
    inspector.disconnect();
    await deleteKeysUnder(prefix);
  });

  async function post(body: string | Uint8Array, headers: Record<string, string> = {}) {
    return http.send('POST', url, body, {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      ...headers,
    });
  }

  /** The property every bad body must satisfy, checked per request. */
  async function expectRefused(body: string): Promise<void> {
    const { status, text } = await post(body);
    expect(status, `body ${body.slice(0, 200)} → ${status} ${text}`).toBeGreaterThanOrEqual(400);
    expect(status, `body ${body.slice(0, 200)} → ${status} ${text}`).toBeLessThan(500);
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; field?: string } };
    expect(parsed.error?.message, text).toBeTruthy();
  }

  it('answers every body with one broken field 400 naming that field, and writes nothing', async () => {
    const before = await redisDigest(inspector, prefix);
    await fc.assert(
      fc.asyncProperty(brokenPayload, async (body) => {
        const { status, text } = await post(body);
        expect(status, `${body.slice(0, 300)} → ${text}`).toBe(400);
        const error = (JSON.parse(text) as { error: { field?: string } }).error;
        expect(error.field, text).toBeTruthy();
      }),
      { numRuns: RUNS },
    );
    expect(await redisDigest(inspector, prefix)).toEqual(before);
  });

  it('answers JSON of the wrong shape and text that is not JSON with a 4xx, never a 5xx', async () => {
    const before = await redisDigest(inspector, prefix);
    await fc.assert(fc.asyncProperty(wrongShapeJson, expectRefused), { numRuns: RUNS / 2 });
    await fc.assert(fc.asyncProperty(notJson, expectRefused), { numRuns: RUNS / 2 });
    expect(await redisDigest(inspector, prefix)).toEqual(before);
  });

  it('refuses random tokens, content types and oversized bodies without reading them into Redis', async () => {
    const before = await redisDigest(inspector, prefix);
    const valid = JSON.stringify(validPayload('00000000000f0220'));
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }).filter((t) => t !== TOKEN && /^[\x21-\x7e]*$/.test(t)),
        async (token) => {
          const { status } = await post(valid, { authorization: `Bearer ${token}` });
          expect(status).toBe(401);
        },
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'text/yaml'),
        async (type) => {
          const { status } = await post(valid, { 'content-type': type });
          expect(status).toBe(415);
        },
      ),
      { numRuns: 20 },
    );
    const oversized = JSON.stringify({ ...validPayload(), padding: 'x'.repeat(70 * 1024) });
    expect((await post(oversized)).status).toBe(413);
    expect(await redisDigest(inspector, prefix)).toEqual(before);
  });

  it('still accepts a valid body afterwards, which does change Redis (the digest can see writes)', async () => {
    const before = await redisDigest(inspector, prefix);
    const { status } = await post(JSON.stringify(validPayload('00000000000f0221')));
    expect(status).toBe(202);
    expect(await redisDigest(inspector, prefix)).not.toEqual(before);
  });
});
