/**
 * Test wiring for the Slack side: a real Redis with a unique prefix, the Slack simulator, the real WebClient
 * pointed at it, the real stores, the `slack` queue and worker, and a recording remediation (an
 * implementation of the Remediation interface whose prepare/execute outcomes the test decides). The whole
 * stack is wired by src/wiring.ts, as `medic serve` wires it.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import type { ResolveScaleTarget } from '../../src/commands/scale.js';
import { parseSettings } from '../../src/config/load.js';
import { createIncidents, type Incidents } from '../../src/incidents/incident.js';
import { createIncidentServices } from '../../src/incidents/services.js';
import type { KubeApis } from '../../src/kube/client.js';
import { createLogger } from '../../src/logger.js';
import type { MedicOverrides } from '../../src/main.js';
import { createMetrics } from '../../src/metrics.js';
import type { DiagnoseKind } from '../../src/pipeline/diagnose-request.js';
import { createFallbackEngine } from '../../src/pipeline/fallback-engine.js';
import {
  createQueues,
  createSlackQueue,
  startActionWorker,
  startAlertWorker,
  startSlackWorker,
} from '../../src/queue/index.js';
import type { Remediation } from '../../src/remediation/index.js';
import { createApp } from '../../src/server/app.js';
import { createSlackIncidentView, type SlackViewDeps } from '../../src/slack/notifier.js';
import { createProposalMessenger } from '../../src/slack/proposal-messages.js';
import { createSyncScheduler } from '../../src/slack/sync-scheduler.js';
import { createThreadSync } from '../../src/slack/thread-sync.js';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createDiagnosisStore } from '../../src/store/diagnoses.js';
import { createIncidentStore } from '../../src/store/incidents.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { createThreadStore } from '../../src/store/threads.js';
import type { DiagnosisEngine, Outcome, Proposal, ProposedAction } from '../../src/types.js';
import { alertJobProcessors, wireIncidents, wireSlack } from '../../src/wiring.js';
import { startTestMedic, type TestMedic } from './medic.js';
import { connect, deleteKeysUnder, uniquePrefix } from './redis.js';
import { waitFor } from './wait.js';

export const BOT_TOKEN = 'xoxb-test-token';
export const SIGNING_SECRET = 'test-signing-secret';
export const USERS = [
  { id: 'UAPPROVER', name: 'alice', isApprover: true },
  { id: 'USECOND', name: 'bob', isApprover: true },
  { id: 'UGROUPMEMBER', name: 'carol' },
  { id: 'UOUTSIDER', name: 'mallory' },
];

/** Remediation whose dry runs succeed unless the action title says "unsafe"; records every execution. */
export function recordingRemediation(options: { executeDelayMs?: number; failWith?: () => Error } = {}) {
  const executed: Proposal[] = [];
  const remediation: Pick<Remediation, 'prepare' | 'execute'> = {
    async prepare(action: ProposedAction) {
      if (action.title.includes('unsafe')) return { ok: false, reason: 'dry run refused: forbidden by a guard rail' };
      return { ok: true, diff: [{ field: `${action.kind}.value`, before: 'old', after: 'new' }], notes: [] };
    },
    async execute(proposal: Proposal): Promise<Outcome> {
      executed.push(proposal);
      if (options.executeDelayMs) await new Promise((r) => setTimeout(r, options.executeDelayMs));
      if (options.failWith) throw options.failWith();
      return { ok: true, message: `${proposal.kind} applied`, changes: proposal.diff, finishedAt: Date.now() };
    },
  };
  return { remediation, executed };
}

/** Test debounce of non-urgent thread edits: quiet 100 ms, 300 ms at most (Medic's: 1 s, 5 s). */
export const TEST_SYNC_TIMING = { quietMs: 100, maxWaitMs: 300 };

export async function startSlackHarness(
  options: {
    usergroups?: Record<string, string[]>;
    quietMs?: number;
    maxWaitMs?: number;
    /** The thread sync's view of the alerts queue (ThreadSyncDeps.alertsWaiting). */
    alertsWaiting?: () => Promise<number>;
  } = {},
) {
  const prefix = uniquePrefix('slack');
  const redis = connect('worker');
  const sim = await startSlackSimulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: USERS,
    usergroups: options.usergroups ?? { SONCALL: ['UGROUPMEMBER'] },
  });
  const client = new WebClient(BOT_TOKEN, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 20, minTimeout: 5, maxTimeout: 50 },
    logLevel: 'error' as never,
  });
  const logger = createLogger('silent');
  const threads = createThreadStore(redis, prefix);
  const proposals = createProposalStore(redis, prefix);
  const audit = createAuditLog(redis, prefix);
  const slackQueue = createSlackQueue({ connection: redis, prefix, backoffMs: 50 });
  const scheduler = createSyncScheduler({
    threads,
    quietMs: options.quietMs ?? TEST_SYNC_TIMING.quietMs,
    maxWaitMs: options.maxWaitMs ?? TEST_SYNC_TIMING.maxWaitMs,
    addJob: slackQueue.addSync,
    removeJob: slackQueue.removeSync,
  });
  const threadSync = createThreadSync({
    client,
    threads,
    proposals,
    scheduler,
    logger,
    ...(options.alertsWaiting ? { alertsWaiting: options.alertsWaiting } : {}),
  });
  const worker = startSlackWorker({
    connection: redis,
    prefix,
    concurrency: 4,
    logger,
    metrics: createMetrics(),
    processor: (job) => threadSync.sync(job.threadId, job.urgentPair ? { urgentPair: job.urgentPair } : {}),
  });

  const waitFor = <T>(predicate: () => T | undefined | false, timeoutMs?: number) =>
    waitForChange(sim, predicate, timeoutMs);

  async function close() {
    await worker.close();
    await slackQueue.close();
    await sim.close();
    await deleteKeysUnder(prefix);
    await redis.quit();
  }

  return {
    prefix,
    redis,
    sim,
    client,
    logger,
    threads,
    proposals,
    audit,
    slackQueue,
    scheduler,
    threadSync,
    waitFor,
    close,
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;

/** What the notifier tests drive: the incident module (it makes the proposals) showing incidents in Slack. */
export interface HarnessNotifier {
  notifyFiring: Incidents['recordFiring'];
  notifyResolved: Incidents['recordResolved'];
}

/** The incident module with the Slack view on a harness's stores and scheduler, alerts going to CALERTS. */
export function harnessNotifier(
  h: SlackHarness,
  overrides: Partial<SlackViewDeps> & { remediation?: Pick<Remediation, 'prepare'> } = {},
): HarnessNotifier {
  const { remediation = recordingRemediation().remediation, ...viewOverrides } = overrides;
  const view = createSlackIncidentView({
    threads: h.threads,
    proposals: h.proposals,
    scheduler: h.scheduler,
    messenger: createProposalMessenger({ client: h.client, proposals: h.proposals, now: Date.now }),
    settings: { channels: [] },
    defaultChannel: 'CALERTS',
    now: Date.now,
    logger: h.logger,
    ...viewOverrides,
  });
  const incidents = createIncidents({
    proposals: h.proposals,
    audit: h.audit,
    remediation,
    ttlMs: 3_600_000,
    now: Date.now,
    incidents: createIncidentStore(h.redis, h.prefix),
    view,
    logger: h.logger,
  });
  return { notifyFiring: incidents.recordFiring, notifyResolved: incidents.recordResolved };
}

/**
 * The whole Slack side as Medic runs it (src/wiring.ts): the Bolt router behind a real HTTP server (or Socket
 * Mode), the incident module, and the `alerts`, `actions` and `slack` workers; the simulator sends signed
 * clicks and commands to it. `clock.offsetMs` shifts Medic's and the simulator's shared clock.
 */
export async function startSlackStack(
  options: {
    settingsYaml?: string;
    remediation?: Pick<Remediation, 'prepare' | 'execute'>;
    resolveScaleTarget?: ResolveScaleTarget;
    /** The diagnosis engine of the `alerts` worker (`/medic diagnose`); default the fallback. */
    engine?: DiagnosisEngine;
    findDiagnoseTarget?: (namespace: string, name: string, kind?: DiagnoseKind) => Promise<DiagnoseKind | null>;
    /** Socket Mode instead of the HTTP router: Medic's SLACK_APP_TOKEN. */
    appToken?: string;
    /** The app token the simulator accepts; default `appToken`. */
    simulatorAppToken?: string;
    retry?: { retries: number; minTimeout: number; maxTimeout: number };
  } = {},
) {
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const prefix = uniquePrefix('slack');
  const redis = connect('worker');
  const sim = await startSlackSimulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: USERS,
    usergroups: { SONCALL: ['UGROUPMEMBER'] },
    ...(options.appToken ? { appToken: options.simulatorAppToken ?? options.appToken } : {}),
    now,
  });
  const logger = createLogger('silent');
  const metrics = createMetrics();
  const recording = recordingRemediation();
  const settings = parseSettings(
    options.settingsYaml ?? 'approvers: [UAPPROVER, USECOND, SONCALL]\nscale: {min: 1, max: 50, maxFactor: 10}\n',
    'medic.yaml',
  );
  const queues = createQueues({ connection: redis, prefix, backoffMs: 50 });
  const slackQueue = createSlackQueue({ connection: redis, prefix, backoffMs: 50 });
  const services = createIncidentServices({
    redis,
    prefix,
    settings,
    remediation: options.remediation ?? recording.remediation,
    logger,
    now,
  });
  const slack = wireSlack({
    slack: {
      botToken: BOT_TOKEN,
      signingSecret: options.appToken ? undefined : SIGNING_SECRET,
      appToken: options.appToken,
      defaultChannel: 'CALERTS',
      apiUrl: sim.apiUrl,
    },
    redis,
    prefix,
    services,
    slackQueue,
    enqueueAction: queues.enqueueAction,
    enqueueDiagnose: queues.enqueueDiagnose,
    resolveScaleTarget:
      options.resolveScaleTarget ??
      (async (_ns, name) =>
        name === 'proxy'
          ? { ok: true, workload: 'Deployment/proxy', replicas: 2 }
          : { ok: false, message: `No Deployment, StatefulSet or Service named ${name}.` }),
    ...(options.findDiagnoseTarget ? { findDiagnoseTarget: options.findDiagnoseTarget } : {}),
    metrics,
    ...TEST_SYNC_TIMING,
    retry: options.retry ?? { retries: 20, minTimeout: 5, maxTimeout: 50 },
  });
  const incidents = wireIncidents({ redis, prefix, services, view: slack.view });
  // The express app Medic serves (src/server/app.ts): the Slack router before any body parser, the one error sink.
  const app = createApp({
    logger,
    metrics,
    bodyLimit: '1mb',
    readinessChecks: {},
    routers: slack.router ? [{ path: '/', handler: slack.router }] : [],
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  if (!options.appToken) sim.setEventsUrl(eventsUrl);
  const pool = { connection: redis, prefix, concurrency: 4, logger, metrics };
  const workers = [
    startActionWorker({ ...pool, processor: slack.runAction }),
    startSlackWorker({
      ...pool,
      processor: (job) => slack.adapter.syncThread(job.threadId, job.urgentPair ? { urgentPair: job.urgentPair } : {}),
    }),
    startAlertWorker({
      ...pool,
      processors: alertJobProcessors({
        engine: options.engine ?? createFallbackEngine(),
        incidents,
        store: createDiagnosisStore({ redis, prefix }),
        fanOutAlerts: queues.fanOutAlerts,
      }),
    }),
  ];
  const stores = {
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
  };

  async function close() {
    await slack.adapter.stop();
    await Promise.all(workers.map((w) => w.close()));
    await queues.close();
    await slackQueue.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sim.close();
    await deleteKeysUnder(prefix);
    await redis.quit();
  }

  const waitFor = <T>(predicate: () => T | undefined | false, timeoutMs?: number) =>
    waitForChange(sim, predicate, timeoutMs);

  return {
    clock,
    now,
    prefix,
    redis,
    sim,
    slack,
    incidents,
    queues,
    recording,
    settings,
    eventsUrl,
    stores,
    waitFor,
    close,
  };
}

export type SlackStack = Awaited<ReturnType<typeof startSlackStack>>;

/** Resolves once `predicate` holds for the simulator, checked on every change it records. */
export function waitForChange<T>(
  sim: SlackSimulator,
  predicate: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  return waitFor(predicate, { timeoutMs, what: 'the Slack simulator to show it', onChange: (l) => sim.onChange(l) });
}

/**
 * `medic serve --role all` in this process with Slack (the simulator, signed requests to /slack/events) and a
 * cluster (`kube`), or the clusters a medic.yaml lists: what the end-to-end tests of the alert and command paths
 * start. The caller closes both.
 */
export async function startMedicWithSlack(
  options: {
    channel: string;
    /** More medic.yaml, after the approvers (e.g. `managedBy: {argocd: refuse}`). */
    settingsYaml?: string;
    /** Another replica: the simulator the first one uses (its events URL is left alone), and its queue prefix. */
    replicaOf?: { sim: SlackSimulator; medic: TestMedic };
    /** More environment (ALERTMANAGER_URL, KUBECONFIG for medic.yaml `clusters`) and overrides (silence follow timing). */
    env?: Record<string, string>;
    overrides?: MedicOverrides;
  } & ({ kube: KubeApis; approvers: string[] } | { medicYaml: string }),
): Promise<{ medic: TestMedic; sim: SlackSimulator }> {
  const sim =
    options.replicaOf?.sim ??
    (await startSlackSimulator({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, users: USERS }));
  const dir = mkdtempSync(join(tmpdir(), 'medic-slack-'));
  const yaml =
    'medicYaml' in options
      ? options.medicYaml
      : `approvers: [${options.approvers.join(', ')}]\n${options.settingsYaml ?? ''}`;
  writeFileSync(join(dir, 'medic.yaml'), yaml);
  const prefix: Record<string, string> = options.replicaOf
    ? { MEDIC_QUEUE_PREFIX: options.replicaOf.medic.config.queuePrefix }
    : {};
  try {
    const medic = await startTestMedic({
      role: 'all',
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: sim.apiUrl,
        SLACK_CHANNEL: options.channel,
        MEDIC_CONFIG: join(dir, 'medic.yaml'),
        ...prefix,
        ...options.env,
      },
      overrides: { ...options.overrides, ...('kube' in options ? { kube: options.kube } : {}) },
    });
    if (!options.replicaOf) sim.setEventsUrl(`${medic.url}/slack/events`);
    return { medic, sim };
  } catch (error) {
    if (!options.replicaOf) await sim.close();
    throw error;
  }
}
