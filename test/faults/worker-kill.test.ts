/**
 * Fault 2: a worker process is SIGKILLed while diagnoses are in flight (the API server answers slowly, so
 * jobs are mid-diagnosis). BullMQ's stalled-job check hands them to the surviving worker; every diagnosis is
 * posted to Slack, and duplicates (possible only between a Slack post and its record) are counted: 0 expected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePayload, readScenarioObjects, SCENARIOS_DIR, type TestPayload } from '../support/alerts.js';
import { exactlyOnceReport, type Observer, observeRedis } from '../support/observe.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { type Stack, startStack } from '../support/stack.js';
import { rebuildThreads } from '../support/threads.js';
import { waitFor } from '../support/wait.js';

const ALERTS = 60;
const SCENARIO = 'oom-limit';

function scenarioAlerts(): TestPayload[] {
  const template = JSON.parse(readFileSync(join(SCENARIOS_DIR, SCENARIO, 'alert.json'), 'utf8')) as TestPayload;
  const runId = Date.now() & 0xffffff;
  // One group per alert: each gets its own thread and diagnosis reply, so "each diagnosis is posted" is countable.
  return Array.from({ length: ALERTS }, (_, i) => {
    const fingerprint = (runId.toString(16).padStart(8, '0') + i.toString(16).padStart(8, '0')).slice(-16);
    const alert = {
      ...template.alerts[0]!,
      fingerprint,
      labels: { ...template.alerts[0]!.labels, replica: String(i) },
    };
    return { ...makePayload('ads', [alert]), groupKey: `{}:{namespace="ads", replica="${i}"}` };
  });
}

describe('a worker SIGKILLed mid-diagnosis', () => {
  let stack: Stack;
  let observer: Observer;

  beforeAll(async () => {
    const objects = readScenarioObjects(SCENARIO);
    // 150 ms per API request: a diagnosis takes about a second, so the kill lands mid-diagnosis.
    stack = await startStack({ sandbox: { objects, latencyMs: 150 } });
    observer = observeRedis(stack.redis.url, stack.prefix);
  });

  afterAll(async () => {
    await observer?.close();
    await stack?.close();
  });

  it('hands the killed worker’s jobs to the survivor and posts every diagnosis once', async () => {
    const web = await stack.startMedic('web');
    const doomed = await stack.startMedic('worker', { MEDIC_WORKER_CONCURRENCY: '8' });
    const payloads = scenarioAlerts();
    const sender = createAlertmanagerSender({ url: `${web.baseUrl}/alertmanager` });
    await sender.sendAll(payloads, 4);
    expect(sender.acceptedFingerprints().size).toBe(ALERTS);

    // Kill once the doomed worker has finished a few diagnoses and holds active ones. The trigger watches Redis,
    // not Slack: a kill timed on a Slack post would land in the post-then-record window on purpose.
    await waitFor(
      async () => {
        const diagnosed = (await observer.diagnosisCounts()).size;
        const counts = await observer.alertQueueCounts();
        return diagnosed >= 3 && (counts.active ?? 0) > 0;
      },
      { timeoutMs: 60_000, intervalMs: 20, what: 'a few diagnoses recorded and jobs active' },
    );
    const activeAtKill = (await observer.alertQueueCounts()).active ?? 0;
    const postedAtKill = rebuildThreads(stack.slackCalls).repliesPerFingerprint.size;
    await doomed.kill('SIGKILL');
    const killedAt = Date.now();
    await stack.startMedic('worker', { MEDIC_WORKER_CONCURRENCY: '8' });

    // Stalled jobs come back after the lock expires (lockDuration 30 s) and the next stalled check.
    const report = await waitFor(
      () => {
        const r = rebuildThreads(stack.slackCalls);
        return r.repliesPerFingerprint.size >= ALERTS ? r : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 200, what: `all ${ALERTS} diagnoses posted` },
    );
    const recoveredMs = Date.now() - killedAt;
    const records = await observer.diagnosisCounts();
    const posted = exactlyOnceReport(sender.acceptedFingerprints(), report.repliesPerFingerprint);
    const recorded = exactlyOnceReport(sender.acceptedFingerprints(), records);
    const queue = await observer.alertQueueCounts();
    console.log(
      `FAULT worker-kill ${JSON.stringify({
        alerts: ALERTS,
        activeAtKill,
        postedAtKill,
        recoveredMs,
        duplicatePosts: posted.duplicated.length,
        missingPosts: posted.missing.length,
        threads: report.threads.size,
        failedJobs: queue.failed ?? 0,
      })}`,
    );
    expect(activeAtKill).toBeGreaterThan(0);
    expect(posted).toEqual({ missing: [], duplicated: [] });
    expect(recorded).toEqual({ missing: [], duplicated: [] });
    expect(report.threads.size).toBe(ALERTS);
    expect(report.orphanReplies).toBe(0);
    expect(queue.failed ?? 0).toBe(0);
  });
});
