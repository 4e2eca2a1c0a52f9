/**
 * Builds Medic's Slack side from its parts, for the composition root: stores, the WebClient, thread syncs,
 * the notifier, approvals, slash commands and the Bolt app. It creates no connections or queues itself —
 * Redis and the queue functions come in from src/main.ts.
 */
import type { Router } from 'express';
import { registerSlackActions } from '../../handlers/slack-actions.js';
import { registerSlackCommands } from '../../handlers/slack-commands.js';
import { type ApprovalDecision, approveProposal } from '../approvals/approve.js';
import { createApproverCheck } from '../approvals/approvers.js';
import { createActionProcessor } from '../approvals/execute.js';
import { buildMemoryChartForDiagnosis } from '../charts/diagnosis-chart.js';
import { processDiagnoseRequest } from '../commands/diagnose-job.js';
import { type DiagnoseKind, type DiagnoseRequest, runMedicCommand } from '../commands/medic.js';
import { type ResolveScaleTarget, runScaleCommand } from '../commands/scale.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../logger.js';
import type { ActionJobData, JobContext } from '../queue/index.js';
import type { SlackJob, SlackJobProcessors } from '../queue/slack.js';
import type { Remediation } from '../remediation/index.js';
import { createAuditLog } from '../store/audit.js';
import { createProposalStore } from '../store/proposals.js';
import type { Redis } from '../store/redis.js';
import { createThreadStore } from '../store/threads.js';
import type { Diagnosis } from '../types.js';
import { createSlackApp, type SlackApp } from './app.js';
import { usergroupMembersLister } from './client.js';
import { createSlackNotifier, type SlackNotifier } from './notifier.js';
import { createProposalMessenger } from './proposal-messages.js';
import { createSyncScheduler } from './sync-scheduler.js';
import { createThreadSync } from './thread-sync.js';

export interface SlackIntegrationDeps {
  config: Pick<Config, 'slack' | 'settings'> & { prometheusUrl?: string | undefined };
  /** Key prefix for proposals, threads and the audit stream (MEDIC_QUEUE_PREFIX). */
  prefix: string;
  /** A 'store' purpose connection. */
  redis: Redis;
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
  /** Adds a job to the `slack` queue (src/queue/slack.ts). */
  addSlackJob(job: SlackJob, options: { jobId: string; delayMs?: number }): Promise<void>;
  remediation: Pick<Remediation, 'prepare' | 'execute'>;
  resolveScaleTarget: ResolveScaleTarget;
  diagnoseTarget(
    target: { kind: DiagnoseKind; namespace: string; name: string },
    signal?: AbortSignal,
  ): Promise<Diagnosis>;
  /** For `/medic diagnose`: which kind of object the name is, or null when none exists. */
  findDiagnoseTarget?(namespace: string, name: string, kind?: DiagnoseKind): Promise<DiagnoseKind | null>;
  logger: Logger;
  now?: () => number;
  /** Coalescing window for thread edits; default 5 s. */
  updateIntervalMs?: number;
  /** Called with every approval decision (metrics). */
  onDecision?(decision: ApprovalDecision): void;
  /** WebClient retry policy (tests shorten it). */
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
}

export interface SlackIntegration {
  notifier: SlackNotifier;
  slackApp: SlackApp;
  /** HTTP mode: mount at '/' before body parsers; serves POST /slack/events. */
  router: Router | undefined;
  /** The `actions` queue processor. */
  processAction(data: ActionJobData, context: JobContext): Promise<void>;
  /** The `slack` queue processors. */
  slackProcessors: SlackJobProcessors;
}

export function createSlackIntegration(deps: SlackIntegrationDeps): SlackIntegration {
  const { slack, settings } = deps.config;
  if (!slack.botToken) throw new Error('SLACK_BOT_TOKEN is required for Slack.');
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'slack' });
  const threads = createThreadStore(deps.redis, deps.prefix);
  const proposals = createProposalStore(deps.redis, deps.prefix);
  const audit = createAuditLog(deps.redis, deps.prefix);
  const scheduler = createSyncScheduler({
    threads,
    now,
    ...(deps.updateIntervalMs ? { intervalMs: deps.updateIntervalMs } : {}),
    addJob: (data, { jobId, delayMs }) => deps.addSlackJob({ name: 'sync-thread', data }, { jobId, delayMs }),
  });

  const slackApp = createSlackApp({
    botToken: slack.botToken,
    signingSecret: slack.signingSecret,
    appToken: slack.appToken,
    apiUrl: slack.apiUrl,
    logger,
    now,
    ...(deps.retry ? { retry: deps.retry } : {}),
  });
  const client = slackApp.client;
  const prometheusUrl = deps.config.prometheusUrl;
  const threadSync = createThreadSync({
    client,
    ...(prometheusUrl
      ? { memoryChart: (d: Diagnosis) => buildMemoryChartForDiagnosis(d, { prometheusUrl, logger }) }
      : {}),
    threads,
    proposals,
    scheduler,
    logger,
    now,
    ...(deps.updateIntervalMs ? { updateIntervalMs: deps.updateIntervalMs } : {}),
  });
  const messenger = createProposalMessenger({ client, proposals, scheduler, now });
  const proposalDeps = { proposals, remediation: deps.remediation, audit, ttlMs: settings.proposals.ttl, now };
  const notifier = createSlackNotifier({
    ...proposalDeps,
    threads,
    scheduler,
    settings,
    defaultChannel: slack.defaultChannel,
    logger,
    syncNow: threadSync.syncNow,
  });
  const approvers = createApproverCheck({
    approvers: settings.approvers,
    listGroupMembers: usergroupMembersLister(client),
    logger,
    now,
  });

  registerSlackActions(slackApp.app, {
    approve: async (input) => {
      const decision = await approveProposal(input, {
        proposals,
        audit,
        approvers,
        settings,
        enqueueAction: deps.enqueueAction,
        onProposalChange: messenger.refresh,
        logger,
        now,
      });
      deps.onDecision?.(decision);
      return decision;
    },
  });
  registerSlackCommands(slackApp.app, {
    scale: (input) =>
      runScaleCommand(input, {
        ...proposalDeps,
        settings,
        resolveScaleTarget: deps.resolveScaleTarget,
        postProposal: messenger.post,
      }),
    medic: (input) =>
      runMedicCommand(input, {
        audit,
        now,
        ...(deps.findDiagnoseTarget ? { findTarget: deps.findDiagnoseTarget } : {}),
        enqueueDiagnose: (request) =>
          deps.addSlackJob({ name: 'diagnose', data: { ...request } }, { jobId: request.requestId }),
      }),
  });

  return {
    notifier,
    slackApp,
    router: slackApp.router,
    processAction: createActionProcessor({
      proposals,
      audit,
      remediation: deps.remediation,
      onProposalChange: messenger.refresh,
      now,
    }),
    slackProcessors: {
      'sync-thread': (data) => threadSync.sync(data.threadId, data.urgentPair ? { urgentPair: data.urgentPair } : {}),
      diagnose: async (data) => {
        await processDiagnoseRequest(data as unknown as DiagnoseRequest, {
          diagnoseTarget: deps.diagnoseTarget,
          postDiagnosis: notifier.notifyFiringIn,
        });
      },
    },
  };
}
