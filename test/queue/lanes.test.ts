import { afterEach, describe, expect, it } from 'vitest';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createQueues, type MedicQueues, startAlertWorker } from '../../src/queue/index.js';
import { createRepeatLanes, incidentKey, REPEAT_PRIORITY } from '../../src/queue/lanes.js';
import type { Redis } from '../../src/store/redis.js';
import { makeAlert, makePayload } from '../support/alerts.js';
import { connect, deleteKeysUnder, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const events = (alerts: ReturnType<typeof makeAlert>[]) =>
  toAlertEvents(webhookPayloadSchema.parse(makePayload('ads', alerts)), Date.now());
const podAlert = (fingerprint: string, pod: string, alertname = 'KubePodNotReady') =>
  makeAlert(fingerprint, { alertname, namespace: 'ads', pod });

describe('the repeat lane', () => {
  it('keys an alert by its group, alertname, namespace and the workload its labels name', () => {
    const [a, b, c, d] = events([
      podAlert('f1', 'ad-index-1'),
      podAlert('f2', 'ad-index-2'),
      podAlert('f3', 'api-5d8f7c9b4-x2klp'),
      podAlert('f4', 'api-5d8f7c9b4-x2klp', 'KubeContainerOOMKilled'),
    ]);
    expect(incidentKey(a!)).toBe('{}:{namespace="ads"}|KubePodNotReady|ads|pod:ad-index');
    expect(incidentKey(b!)).toBe(incidentKey(a!));
    expect(incidentKey(c!)).toBe('{}:{namespace="ads"}|KubePodNotReady|ads|pod:api');
    expect(incidentKey(d!)).toBe('{}:{namespace="ads"}|KubeContainerOOMKilled|ads|pod:api');
    expect(incidentKey({ ...a!, groupKey: 'another group' })).not.toBe(incidentKey(a!));
  });

  it('the first alert of a key has no priority, repeats within the window do, and the window ends', () => {
    let now = 0;
    const lanes = createRepeatLanes({ windowMs: 1000, now: () => now });
    const [first, repeat, other] = events([
      podAlert('f1', 'ad-index-1'),
      podAlert('f2', 'ad-index-2'),
      podAlert('f3', 'api-5d8f7c9b4-x2klp'),
    ]);
    expect(lanes.priorityOf(first!)).toBeUndefined();
    expect(lanes.priorityOf(repeat!)).toBe(REPEAT_PRIORITY);
    expect(lanes.priorityOf(other!)).toBeUndefined();
    now = 5000;
    expect(lanes.priorityOf(repeat!)).toBeUndefined();
  });
});

describe('a new incident is not queued behind the repeats of an old one', () => {
  let redis: Redis;
  let queues: MedicQueues;
  let prefix: string;
  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    await deleteKeysUnder(prefix);
  });

  it('its first alert is diagnosed before the thousand repeats queued ahead of it; every alert still runs once', async () => {
    prefix = uniquePrefix('lanes');
    redis = connect('worker');
    // One job per alert at intake: the storm's jobs are all queued before the new incident's alert arrives.
    queues = createQueues({ connection: redis, prefix, batchThreshold: Number.POSITIVE_INFINITY });
    const storm = events(
      Array.from({ length: 1000 }, (_, i) => podAlert(`a${i.toString(16).padStart(4, '0')}`, `ad-index-${i % 3}`)),
    );
    for (let i = 0; i < storm.length; i += 100) await queues.enqueueAlerts(storm.slice(i, i + 100));
    const [fresh] = events([podAlert('b0', 'checkout-7c9d8f6b5-r4t8p', 'KubeContainerOOMKilled')]);
    await queues.enqueueAlerts([fresh!]);

    const order: string[] = [];
    const worker = startAlertWorker({
      connection: redis,
      prefix,
      concurrency: 1,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      processors: {
        alert: async (event) => {
          order.push(event.alert.fingerprint);
        },
        diagnose: async () => undefined,
        fanOut: queues.fanOutAlerts,
      },
    });
    try {
      await waitFor(() => order.length === 1001, { timeoutMs: 60_000, what: 'every alert processed' });
    } finally {
      await worker.close();
    }
    expect(new Set(order).size).toBe(1001);
    // Behind it: at most the first alert of the old incident (queued before it, without a priority).
    expect(order.indexOf('b0')).toBeLessThanOrEqual(1);
  });
});
