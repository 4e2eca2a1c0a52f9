/**
 * Test wiring for the Slack side: a real Redis with a unique prefix, the Slack simulator, the real WebClient
 * pointed at it, the real stores, the `slack` queue and worker, and a recording remediation (an
 * implementation of the Remediation interface whose prepare/execute outcomes the test decides).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import express from 'express';
import type { ResolveScaleTarget } from '../../src/commands/scale.js';
import { parseSettings } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createQueues, startActionWorker } from '../../src/queue/index.js';
import { createSlackQueue, startSlackWorker } from '../../src/queue/slack.js';
import type { Remediation } from '../../src/remediation/index.js';
import { createSlackIntegration, type SlackIntegrationDeps } from '../../src/slack/integration.js';
import { createSlackNotifier, type SlackNotifierDeps } from '../../src/slack/notifier.js';
import { createSyncScheduler } from '../../src/slack/sync-scheduler.js';
import { createThreadSync } from '../../src/slack/thread-sync.js';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { createThreadStore } from '../../src/store/threads.js';
import type { Outcome, Proposal, ProposedAction } from '../../src/types.js';
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

export async function startSlackHarness(options: { usergroups?: Record<string, string[]>; intervalMs?: number } = {}) {
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
    intervalMs: options.intervalMs ?? 300,
    addJob: (data, { jobId, delayMs }) => slackQueue.add({ name: 'sync-thread', data }, { jobId, delayMs }),
  });
  const threadSync = createThreadSync({
    client,
    threads,
    proposals,
    scheduler,
    logger,
    updateIntervalMs: options.intervalMs ?? 300,
  });
  const extraProcessors: { diagnose?: (data: Record<string, unknown>) => Promise<void> } = {};
  const worker = startSlackWorker({
    connection: redis,
    prefix,
    concurrency: 4,
    logger,
    processors: {
      'sync-thread': (data) => threadSync.sync(data.threadId, data.urgentPair ? { urgentPair: data.urgentPair } : {}),
      diagnose: async (data) => {
        if (!extraProcessors.diagnose) throw new Error('no diagnose processor in this test');
        await extraProcessors.diagnose(data);
      },
    },
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
    extraProcessors,
    waitFor,
    close,
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;

/** The Slack notifier on a harness's stores and scheduler, alerts going to CALERTS unless `overrides` say. */
export function harnessNotifier(h: SlackHarness, overrides: Partial<SlackNotifierDeps> = {}) {
  return createSlackNotifier({
    threads: h.threads,
    proposals: h.proposals,
    audit: h.audit,
    scheduler: h.scheduler,
    remediation: recordingRemediation().remediation,
    settings: { channels: [] },
    defaultChannel: 'CALERTS',
    ttlMs: 3_600_000,
    now: Date.now,
    logger: h.logger,
    ...overrides,
  });
}

/**
 * The whole Slack side as Medic runs it: the integration (Bolt router behind a real HTTP server), the
 * foundation's `actions` queue and worker, and the `slack` queue worker; the simulator sends signed
 * clicks and commands to it. `clock.offsetMs` shifts Medic's and the simulator's shared clock.
 */
export async function startSlackStack(
  options: {
    settingsYaml?: string;
    remediation?: Pick<Remediation, 'prepare' | 'execute'>;
    resolveScaleTarget?: ResolveScaleTarget;
    diagnoseTarget?: SlackIntegrationDeps['diagnoseTarget'];
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
    now,
  });
  const logger = createLogger('silent');
  const recording = recordingRemediation();
  const settings = parseSettings(
    options.settingsYaml ?? 'approvers: [UAPPROVER, USECOND, SONCALL]\nscale: {min: 1, max: 50, maxFactor: 10}\n',
    'medic.yaml',
  );
  const queues = createQueues({ connection: redis, prefix, backoffMs: 50 });
  const slackQueue = createSlackQueue({ connection: redis, prefix, backoffMs: 50 });
  const integration = createSlackIntegration({
    config: {
      slack: {
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        appToken: undefined,
        defaultChannel: 'CALERTS',
        apiUrl: sim.apiUrl,
      },
      settings,
    },
    prefix,
    redis,
    enqueueAction: queues.enqueueAction,
    addSlackJob: slackQueue.add,
    remediation: options.remediation ?? recording.remediation,
    resolveScaleTarget:
      options.resolveScaleTarget ??
      (async (_ns, name) =>
        name === 'proxy'
          ? { ok: true, workload: 'Deployment/proxy', replicas: 2 }
          : { ok: false, message: `No Deployment, StatefulSet or Service named ${name}.` }),
    diagnoseTarget: options.diagnoseTarget ?? (async () => Promise.reject(new Error('no diagnoseTarget'))),
    logger,
    now,
    updateIntervalMs: 300,
    retry: { retries: 20, minTimeout: 5, maxTimeout: 50 },
  });
  const app = express();
  if (integration.router) app.use('/', integration.router);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  sim.setEventsUrl(eventsUrl);
  const metrics = createMetrics();
  const actionWorker = startActionWorker({
    connection: redis,
    prefix,
    processor: integration.processAction,
    concurrency: 4,
    logger,
    metrics,
  });
  const slackWorker = startSlackWorker({
    connection: redis,
    prefix,
    processors: integration.slackProcessors,
    concurrency: 4,
    logger,
  });
  const stores = {
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
  };

  async function close() {
    await actionWorker.close();
    await slackWorker.close();
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
    integration,
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
