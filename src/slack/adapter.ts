/**
 * Medic's Slack adapter, built from the services the composition root (src/wiring.ts) passes in: the Bolt app
 * (its router serves POST /slack/events; the root registers handlers/slack-*.ts on `app`), the incident view
 * that renders an alert group as a thread, the thread sync the `slack` queue worker runs, and the poster for a
 * slash-command proposal. It decides nothing: what a group holds comes from src/incidents.
 */
import { WebClientEvent } from '@slack/web-api';
import type { Router } from 'express';
import type { IncidentView } from '../incidents/incident.js';
import type { Logger } from '../logger.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { ThreadStore } from '../store/threads.js';
import type { Diagnosis } from '../types.js';
import { type BoltApp, createSlackApp } from './app.js';
import { createSlackIncidentView } from './notifier.js';
import { createProposalMessenger } from './proposal-messages.js';
import { type AddSyncJob, createSyncScheduler } from './sync-scheduler.js';
import { createThreadSync, type SyncOptions, type ThreadSyncDeps } from './thread-sync.js';

export interface SlackAdapterDeps {
  slack: {
    botToken: string;
    signingSecret?: string | undefined;
    appToken?: string | undefined;
    apiUrl?: string | undefined;
    defaultChannel?: string | undefined;
  };
  /** medic.yaml `channels`: which channel an alert group's thread goes to. */
  channels: Parameters<typeof createSlackIncidentView>[0]['settings']['channels'];
  /** The configured cluster an alert is about (src/clusters); absent with one unnamed cluster. */
  clusterOf?: (labels: Record<string, string>) => string | undefined;
  threads: ThreadStore;
  proposals: ProposalStore;
  /** Queues a thread sync on the `slack` queue (src/queue/slack.ts). */
  addSyncJob: AddSyncJob;
  /** Drops a delayed sync job a sooner claim replaced (SlackQueue.removeSync). */
  removeSyncJob?: (jobId: string) => Promise<void>;
  memoryChart?: ThreadSyncDeps['memoryChart'];
  silenceOf?: ThreadSyncDeps['silenceOf'];
  alertsWaiting?: ThreadSyncDeps['alertsWaiting'];
  logger: Logger;
  now?: () => number;
  /** Debounce of non-urgent thread edits (src/slack/sync-scheduler.ts): the longest a change waits; default 5 s. */
  maxWaitMs?: number;
  /** How long a thread must be quiet before its non-urgent edits go out; default 1 s. */
  quietMs?: number;
  /** WebClient retry policy (tests shorten it). */
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
  /** Called on each 429 answer (the client waits Retry-After and retries): a metric. */
  onRateLimited?: () => void;
}

export interface SlackAdapter {
  app: BoltApp;
  client: BoltApp['client'];
  /** HTTP mode: mount at '/' before body parsers. Socket Mode: undefined. */
  router: Router | undefined;
  view: IncidentView;
  /** The `slack` queue's job: bring one thread's messages up to date. */
  syncThread(threadId: string, options: SyncOptions): Promise<void>;
  /** Posts a slash-command proposal (`/scale`) in `channel` as a message of its own. */
  postProposal(channel: string, proposal: ProposalRecord): Promise<{ ts: string }>;
  /** Members of a Slack user group (approvers may be groups). */
  listGroupMembers(groupId: string): Promise<string[]>;
  /** Connects Socket Mode when an app token is set. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'slack' });
  const scheduler = createSyncScheduler({
    threads: deps.threads,
    now,
    addJob: deps.addSyncJob,
    ...(deps.removeSyncJob ? { removeJob: deps.removeSyncJob } : {}),
    ...(deps.maxWaitMs ? { maxWaitMs: deps.maxWaitMs } : {}),
    ...(deps.quietMs ? { quietMs: deps.quietMs } : {}),
  });
  const slackApp = createSlackApp({
    botToken: deps.slack.botToken,
    signingSecret: deps.slack.signingSecret,
    appToken: deps.slack.appToken,
    apiUrl: deps.slack.apiUrl,
    logger,
    now,
    ...(deps.retry ? { retry: deps.retry } : {}),
  });
  const client = slackApp.client;
  if (deps.onRateLimited) client.on(WebClientEvent.RATE_LIMITED, deps.onRateLimited);
  const threadSync = createThreadSync({
    client,
    threads: deps.threads,
    proposals: deps.proposals,
    scheduler,
    logger,
    now,
    ...(deps.memoryChart ? { memoryChart: (d: Diagnosis) => deps.memoryChart?.(d) ?? Promise.resolve(null) } : {}),
    ...(deps.silenceOf ? { silenceOf: deps.silenceOf } : {}),
    ...(deps.alertsWaiting ? { alertsWaiting: deps.alertsWaiting } : {}),
  });
  const messenger = createProposalMessenger({ client, proposals: deps.proposals, now });
  const view = createSlackIncidentView({
    threads: deps.threads,
    proposals: deps.proposals,
    scheduler,
    messenger,
    settings: { channels: deps.channels },
    defaultChannel: deps.slack.defaultChannel,
    logger,
    now,
    syncNow: threadSync.syncNow,
    ...(deps.clusterOf ? { clusterOf: deps.clusterOf } : {}),
  });
  return {
    app: slackApp.app,
    client,
    router: slackApp.router,
    view,
    syncThread: threadSync.sync,
    postProposal: messenger.post,
    async listGroupMembers(groupId) {
      const result = await client.usergroups.users.list({ usergroup: groupId });
      return result.users ?? [];
    },
    start: () => slackApp.start(),
    stop: () => slackApp.stop(),
  };
}
