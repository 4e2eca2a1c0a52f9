/**
 * The silence follower's checks against a real Alertmanager and a real Redis: an outage makes one log line and
 * loses nothing, a just-restarted Alertmanager proves no alert ended, a silenced alert that ends is resolved
 * through the incident module. The checks are run one by one here (the queue part is tested below and end to
 * end in silence-follow-alertmanager.test.ts).
 */
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsClient } from '../../src/alertmanager/alerts.js';
import { createAlertmanagerOutageLog } from '../../src/alertmanager/outage-log.js';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { createSilenceClient } from '../../src/alertmanager/silences.js';
import { createIncidents } from '../../src/incidents/incident.js';
import type { GroupSilence } from '../../src/incidents/silence-decisions.js';
import { createSilenceFollower, type SilenceFollowTiming, startFollowing } from '../../src/incidents/silence-follow.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createQueues, type SilenceCheckJob, startAlertWorker } from '../../src/queue/index.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createIncidentStore } from '../../src/store/incidents.js';
import { createProposalStore, type ProposalRecord } from '../../src/store/proposals.js';
import { createSilenceFollowStore, type SilenceFollow } from '../../src/store/silence-follows.js';
import { type RunningAlertmanager, startAlertmanager } from '../alertmanager/start-alertmanager.js';
import { RecordingNotifier } from '../pipeline/recording-notifier.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { freePort } from '../support/ports.js';
import { connect, deleteKeysUnder, type Redis, silentLogger, uniquePrefix } from '../support/redis.js';

let redis: Redis;
let prefix: string;
let am: RunningAlertmanager | undefined;
let amPort: number;

beforeAll(async () => {
  redis = connect('worker');
  amPort = await freePort();
});
afterEach(async () => {
  await deleteKeysUnder(prefix);
});
afterAll(async () => {
  await am?.stop();
  await redis.quit();
});

class SilenceView extends RecordingNotifier {
  readonly silences: (GroupSilence | null)[] = [];
  async showSilence(_event: AlertEvent, silence: GroupSilence | null): Promise<void> {
    this.silences.push(silence);
  }
}

/** The follower as Medic wires it, with the checks it queues recorded instead of queued, and its log lines. */
function setUp(timing: SilenceFollowTiming) {
  prefix = uniquePrefix('silence');
  const store = createSilenceFollowStore(redis, prefix);
  const view = new SilenceView();
  const proposals = createProposalStore(redis, prefix);
  const incidents = createIncidents({
    proposals,
    audit: createAuditLog(redis, prefix),
    remediation: { prepare: async () => ({ ok: false, reason: 'not in this test' }) },
    ttlMs: 3_600_000,
    now: Date.now,
    incidents: createIncidentStore(redis, prefix),
    view,
    logger: silentLogger,
    openAlerts: store,
  });
  const lines: { msg: string; level: number }[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  const logger = createLogger('info', stream);
  const url = `http://127.0.0.1:${amPort}`;
  const scheduled: { job: SilenceCheckJob; delayMs: number }[] = [];
  const counted = { resolved: 0, failed: [] as string[] };
  const follower = createSilenceFollower({
    store,
    alertmanager: { ...createAlertsClient(url, { timeoutMs: 1000 }), getSilence: createSilenceClient(url).getSilence },
    schedule: async (job, delayMs) => {
      scheduled.push({ job, delayMs });
    },
    proposals,
    incidents,
    view,
    outage: createAlertmanagerOutageLog({ logger }),
    logger,
    now: Date.now,
    timing,
    counters: { resolved: () => void counted.resolved++, failed: (check) => void counted.failed.push(check) },
  });
  const context = () => ({
    jobId: 'test',
    attempt: 1,
    maxAttempts: 1,
    firstStart: true,
    signal: new AbortController().signal,
    logger: silentLogger,
  });
  /** Runs the check the follow is due for, as its queued job would. */
  const checkDue = async (groupKey: string) => {
    const group = store.groupId(groupKey);
    const follow = await store.getFollow(group);
    if (!follow) throw new Error('no follow');
    await follower.check({ group, at: follow.nextAt }, context());
  };
  return { store, view, incidents, proposals, follower, lines, scheduled, counted, checkDue, context };
}

function follow(event: AlertEvent, over: Partial<SilenceFollow> = {}): SilenceFollow {
  return {
    groupKey: event.groupKey,
    groupLabels: event.groupLabels,
    source: 'alertmanager',
    silence: { id: '0b1c1fe0-0000-4000-8000-000000000000', endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    silenced: 1,
    firing: 1,
    startedAt: Date.now(),
    nextAt: Date.now(),
    ...over,
  };
}

/** A `silence` proposal of `event`'s group that ran, as the actions worker leaves it. */
function silenceProposal(event: AlertEvent): ProposalRecord {
  const alertname = event.alert.labels.alertname ?? '';
  return {
    id: 'p0a1b2c3d4e5f60718293',
    kind: 'silence',
    title: `Silence ${alertname} for 2h`,
    params: { matchers: [{ name: 'alertname', value: alertname, isRegex: false, isEqual: true }], duration: '2h' },
    risk: 'low',
    diff: [],
    origin: {
      type: 'diagnosis',
      fingerprint: event.alert.fingerprint,
      playbook: 'target-not-found',
      rootCause: 'TARGET_NOT_FOUND',
    },
    createdAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
    state: 'done',
    approvedBy: 'UAPPROVER',
    outcome: {
      ok: true,
      message: `silence 5d1e0c5e-1111-4222-8333-444455556666 created for {alertname="${alertname}"} until 2026-12-06T14:00:00.000Z`,
      changes: [],
      finishedAt: Date.now(),
    },
    groupKey: event.groupKey,
  };
}

describe('following a silenced group through Alertmanager', () => {
  it('Alertmanager down: one line, the check comes again each interval and nothing is lost; back: the ended alert resolves', async () => {
    const t = setUp({ intervalMs: 1000, restartGraceMs: 0 });
    const event = alertEvent('a1b2c3d4e5f60718', { groupKey: '{}:{alertname="Gone"}' });
    await t.incidents.recordFiring(event, diagnosisFor(event, { actions: [] }));
    expect(await t.store.startFollow(follow(event))).toBe(true);

    for (let i = 0; i < 3; i++) await t.checkDue(event.groupKey);
    const warnings = t.lines.filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      'alertmanager call failed; silenced groups are checked again at the next interval (one summary line a minute)',
    ]);
    expect(t.scheduled).toHaveLength(3);
    expect(t.scheduled.every((s) => s.delayMs === 1000)).toBe(true);
    const kept = await t.store.getFollow(t.store.groupId(event.groupKey));
    expect(kept?.nextAt).toBe(t.scheduled[2]?.job.at);
    expect(t.view.calls.filter((c) => c.type === 'resolved')).toEqual([]);

    am = await startAlertmanager({ port: amPort });
    await t.checkDue(event.groupKey);
    // Alertmanager does not list the alert: it ended while it was silenced (or while Alertmanager was down).
    const resolved = t.view.calls.filter((c) => c.type === 'resolved');
    expect(resolved.map((c) => [c.event.alert.fingerprint, c.event.alert.status])).toEqual([
      ['a1b2c3d4e5f60718', 'resolved'],
    ]);
    expect(await t.store.getFollow(t.store.groupId(event.groupKey))).toBeNull();
    expect(await t.store.firingOf(event.groupKey)).toEqual([]);
    expect(t.view.silences).toEqual([null]);
    expect(t.lines.map((l) => l.msg)).toContain('alertmanager is back');
    expect(t.counted).toEqual({ resolved: 1, failed: ['check', 'check', 'check'] });
  }, 30_000);

  it('concludes nothing from an absent alert while Alertmanager has just started (it keeps alerts in memory)', async () => {
    am ??= await startAlertmanager({ port: amPort });
    const t = setUp({ intervalMs: 1000, restartGraceMs: 120_000 });
    const event = alertEvent('0a0b0c0d0e0f0102', { groupKey: '{}:{alertname="NotYetResent"}' });
    await t.incidents.recordFiring(event, diagnosisFor(event, { actions: [] }));
    await t.store.startFollow(follow(event));
    await t.checkDue(event.groupKey);
    expect(t.view.calls.filter((c) => c.type === 'resolved')).toEqual([]);
    expect(await t.store.getFollow(t.store.groupId(event.groupKey))).not.toBeNull();
    expect(t.scheduled).toHaveLength(1);
  }, 30_000);

  it('shows who silenced a group found by the sweep, and resolves its alert once it ends in Alertmanager', async () => {
    am ??= await startAlertmanager({ port: amPort });
    const t = setUp({ intervalMs: 1000, restartGraceMs: 0 });
    const labels = { alertname: 'DiskSlow', namespace: 'db', instance: 'db-0' };
    const push = (endsAt?: string) =>
      fetch(`${am?.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels, ...(endsAt ? { endsAt } : {}) }]),
      });
    expect((await push()).status).toBe(200);
    const silenceId = await createSilenceClient(am.url).createSilence({
      matchers: [{ name: 'alertname', value: 'DiskSlow', isRegex: false, isEqual: true }],
      startsAt: new Date(),
      endsAt: new Date(Date.now() + 2 * 3_600_000),
      createdBy: 'bob@example.com',
      comment: 'disk swap',
    });
    const [listed] = await createAlertsClient(am.url).listAlerts({ matchers: { alertname: 'DiskSlow' } });
    const base = alertEvent(listed?.fingerprint ?? '', { groupKey: '{}:{alertname="DiskSlow"}' });
    const event: AlertEvent = { ...base, alert: { ...base.alert, labels }, groupLabels: { alertname: 'DiskSlow' } };
    await t.incidents.recordFiring(event, diagnosisFor(event, { actions: [] }));

    await t.follower.sweep(t.context());
    expect(t.view.silences).toHaveLength(1);
    expect(t.view.silences[0]).toMatchObject({
      source: 'alertmanager',
      createdBy: 'bob@example.com',
      comment: 'disk swap',
    });
    const started = await t.store.getFollow(t.store.groupId(event.groupKey));
    expect(started?.silence.id).toBe(silenceId);
    // A second sweep (another interval, another replica) starts nothing twice.
    await t.follower.sweep(t.context());
    expect(t.scheduled).toHaveLength(1);

    await t.checkDue(event.groupKey);
    expect(t.view.calls.filter((c) => c.type === 'resolved')).toEqual([]);
    expect((await push(new Date(Date.now() - 1000).toISOString())).status).toBe(200);
    await t.checkDue(event.groupKey);
    expect(t.view.calls.filter((c) => c.type === 'resolved').map((c) => c.event.alert.fingerprint)).toEqual([
      listed?.fingerprint,
    ]);
    expect(await t.store.getFollow(t.store.groupId(event.groupKey))).toBeNull();
  }, 30_000);
  it('a Medic silence the sweep finds (its follow never started) names the approver of its proposal', async () => {
    am ??= await startAlertmanager({ port: amPort });
    const t = setUp({ intervalMs: 1000, restartGraceMs: 0 });
    const labels = { alertname: 'QueueStuck', namespace: 'jobs' };
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels }]),
    });
    expect(res.status).toBe(200);
    const [listed] = await createAlertsClient(am.url).listAlerts({ matchers: labels });
    const base = alertEvent(listed?.fingerprint ?? '', { groupKey: '{}:{alertname="QueueStuck"}' });
    const event: AlertEvent = { ...base, alert: { ...base.alert, labels }, groupLabels: { alertname: 'QueueStuck' } };
    await t.incidents.recordFiring(event, diagnosisFor(event, { actions: [] }));
    const proposal = silenceProposal(event);
    await t.proposals.create(proposal);
    await createSilenceClient(am.url).createSilence({
      matchers: [{ name: 'alertname', value: 'QueueStuck', isRegex: false, isEqual: true }],
      startsAt: new Date(),
      endsAt: new Date(Date.now() + 3_600_000),
      createdBy: 'medic',
      comment: `Medic proposal ${proposal.id}: ${proposal.title}`,
    });
    await t.follower.sweep(t.context());
    expect(t.view.silences).toEqual([
      expect.objectContaining({ source: 'medic', approvedBy: 'UAPPROVER', silenced: 1, firing: 1 }),
    ]);
  }, 30_000);
});

describe('starting a follow and queueing its checks', () => {
  it('a silence that ran follows its group at once; any other proposal, or one that failed, follows nothing', async () => {
    const t = setUp({ intervalMs: 1000, restartGraceMs: 0 });
    const event = alertEvent('1111222233334444', { groupKey: '{}:{alertname="TargetGone"}' });
    await t.incidents.recordFiring(event, diagnosisFor(event, { actions: [] }));
    const proposal = silenceProposal(event);
    const deps = {
      store: t.store,
      schedule: async (job: SilenceCheckJob, delayMs: number) => void t.scheduled.push({ job, delayMs }),
      logger: silentLogger,
      now: Date.now,
    };
    await startFollowing({ ...proposal, kind: 'scale' }, deps);
    await startFollowing({ ...proposal, state: 'failed' }, deps);
    expect(t.scheduled).toEqual([]);
    await startFollowing(proposal, deps);
    const group = t.store.groupId(event.groupKey);
    expect(await t.store.getFollow(group)).toMatchObject({
      source: 'medic',
      approvedBy: 'UAPPROVER',
      proposalId: 'p0a1b2c3d4e5f60718293',
      silence: { id: '5d1e0c5e-1111-4222-8333-444455556666' },
    });
    expect(t.scheduled).toEqual([{ job: { group, at: (await t.store.getFollow(group))?.nextAt }, delayMs: 0 }]);
  });

  it('a worker without ALERTMANAGER_URL fails a check job for good, saying what to set', async () => {
    prefix = uniquePrefix('silence');
    const queues = createQueues({ connection: redis, prefix });
    const workerConnection = connect('worker');
    const worker = startAlertWorker({
      connection: workerConnection,
      prefix,
      processors: {
        alert: async () => Promise.reject(new Error('no alerts in this test')),
        diagnose: async () => Promise.reject(new Error('no requests in this test')),
        fanOut: async () => Promise.reject(new Error('no batches in this test')),
      },
      concurrency: 1,
      logger: silentLogger,
      metrics: createMetrics(),
    });
    try {
      const failed = new Promise<{ attemptsMade: number; reason: string }>((resolve) =>
        worker.worker.once('failed', (job, error) =>
          resolve({ attemptsMade: job?.attemptsMade ?? 0, reason: error.message }),
        ),
      );
      await queues.scheduleSilenceCheck({ group: 'g1', at: Date.now() }, 0);
      const { attemptsMade, reason } = await failed;
      expect(reason).toBe(
        'This worker has no ALERTMANAGER_URL, so it cannot follow silenced alert groups; set it on every worker.',
      );
      expect(attemptsMade).toBe(1);
    } finally {
      await worker.close();
      await workerConnection.quit();
      await queues.close();
    }
  });

  it('a check asked for twice (two replicas) is one queued job, and the sweep is one scheduler', async () => {
    prefix = uniquePrefix('silence');
    const queues = createQueues({ connection: redis, prefix });
    try {
      const job = { group: 'abc123', at: Date.now() + 60_000 };
      await Promise.all([queues.scheduleSilenceCheck(job, 60_000), queues.scheduleSilenceCheck(job, 60_000)]);
      expect(await queues.alerts.getDelayedCount()).toBe(1);
      await queues.scheduleSilenceSweep(1000);
      await queues.scheduleSilenceSweep(1000);
      expect(await queues.alerts.getJobSchedulersCount()).toBe(1);
      await queues.scheduleSilenceSweep(null);
      expect(await queues.alerts.getJobSchedulersCount()).toBe(0);
    } finally {
      await queues.close();
    }
  });
});
