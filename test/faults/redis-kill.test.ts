/**
 * Fault 1: Redis (AOF, appendfsync always) is SIGKILLed and restarted while an Alertmanager-like sender
 * pushes 5,000 alerts. Every alert that got a 202 must be diagnosed exactly once, none missing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoad } from '../support/alerts.js';
import { type MedicProcess, spawnMedic } from '../support/medic-process.js';
import { countLoggedDiagnoses, exactlyOnceReport, type Observer, observeRedis } from '../support/observe.js';
import { killAllTracked } from '../support/processes.js';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { delay, waitFor, withTimeout } from '../support/wait.js';

const TOTAL = 5000;
const OUTAGE_MS = 2000;

describe('Redis SIGKILLed and restarted mid-load', () => {
  let redis: PrivateRedis;
  let medic: MedicProcess;
  let observer: Observer;
  const prefix = `medic-fault-redis-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    redis = await startPrivateRedis({ aof: true });
    medic = await spawnMedic({
      role: 'all',
      env: { REDIS_URL: redis.url, MEDIC_QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', MEDIC_WORKER_CONCURRENCY: '16' },
    });
    observer = observeRedis(redis.url, prefix);
  });

  afterAll(async () => {
    await observer?.close();
    await medic?.kill('SIGKILL');
    await redis?.close();
    await killAllTracked();
  });

  it('diagnoses every alert that got a 202 exactly once, none missing', async () => {
    const logged = countLoggedDiagnoses([medic.process]);
    const payloads = makeLoad(Date.now() & 0xffffff, TOTAL, 50, 10);
    const sender = createAlertmanagerSender({
      url: `${medic.baseUrl}/alertmanager`,
      initialBackoffMs: 100,
      maxBackoffMs: 1000,
      giveUpAfterMs: 90_000,
    });
    const started = Date.now();
    const sending = sender.sendAll(payloads, 8);

    // Kill once a third of the load is accepted and the worker is busy diagnosing.
    await waitFor(
      async () => sender.stats().accepted >= payloads.length / 3 && (await observer.diagnosisCounts()).size > 0,
      {
        timeoutMs: 60_000,
        what: 'a third of the load accepted and diagnoses under way',
      },
    );
    const acceptedBeforeKill = sender.stats().accepted;
    await redis.kill();
    await delay(OUTAGE_MS); // the outage itself: Medic must answer 503 and keep its jobs meanwhile
    await redis.restart();
    await withTimeout(sending, 120_000, 'the sender to deliver every payload');
    const sent = Date.now() - started;

    const stats = sender.stats();
    expect(stats.gaveUp).toBe(0);
    expect(stats.rejected).toBe(0);
    expect(stats.retries).toBeGreaterThan(0); // the outage was seen by the sender
    const accepted = sender.acceptedFingerprints();
    expect(accepted.size).toBe(TOTAL);

    const records = await waitFor(
      async () => {
        const counts = await observer.diagnosisCounts();
        return counts.size >= accepted.size ? counts : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, what: `${TOTAL} diagnosis records` },
    );
    await waitFor(
      async () => {
        const c = await observer.alertQueueCounts();
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the alerts queue to drain' },
    );
    const drained = Date.now() - started;
    const queue = await observer.alertQueueCounts();
    const recordCheck = exactlyOnceReport(accepted, records);
    const notifyCheck = exactlyOnceReport(accepted, logged.counts);
    const summary = {
      alerts: TOTAL,
      payloads: payloads.length,
      acceptedBeforeKill: acceptedBeforeKill * 10,
      outageMs: OUTAGE_MS,
      retries: stats.retries,
      retriesOn5xx: stats.retriesOn5xx,
      retriesOnConnectionError: stats.retriesOnConnectionError,
      sendMs: sent,
      drainedMs: drained,
      recordsMissing: recordCheck.missing.length,
      recordsDuplicated: recordCheck.duplicated.length,
      notificationsMissing: notifyCheck.missing.length,
      notificationsDuplicated: notifyCheck.duplicated.length,
      failedJobs: queue.failed ?? 0,
    };
    console.log(`FAULT redis-kill ${JSON.stringify(summary)}`);
    expect(recordCheck).toEqual({ missing: [], duplicated: [] });
    expect(notifyCheck.missing).toEqual([]);
    expect(notifyCheck.duplicated).toEqual([]);
    expect(queue.failed ?? 0).toBe(0);
    expect([...records.keys()].filter((fp) => !accepted.has(fp))).toEqual([]);
  });
});
