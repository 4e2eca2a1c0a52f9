/**
 * Slack inside `medic serve`: what src/main.ts plugs in when SLACK_BOT_TOKEN is set — the notifier, the Bolt
 * router (POST /slack/events) or Socket Mode, the `actions` processor, and the `slack` queue with its worker
 * (thread syncs, `/medic diagnose`). Connections come from main; this closes only what it creates.
 */

import { WebClientEvent } from '@slack/web-api';
import { Counter, type Registry } from 'prom-client';
import type { DiagnoseKind } from '../commands/medic.js';
import { scaleTargetResolver } from '../commands/scale.js';
import type { Config } from '../config/load.js';
import { resolveScaleTarget } from '../diagnosis/scale-target.js';
import { MedicError } from '../errors.js';
import type { KubeApis } from '../kube/client.js';
import { createClusterReader } from '../kube/reader.js';
import { createClusterWriter } from '../kube/writer.js';
import type { Logger } from '../logger.js';
import type { ActionJobData, JobContext } from '../queue/index.js';
import { createSlackQueue, startSlackWorker } from '../queue/slack.js';
import { createRemediation, type Remediation } from '../remediation/index.js';
import type { Redis } from '../store/redis.js';
import type { RedisOutageLog } from '../store/redis-outage-log.js';
import type { AlertNotifier, DiagnosisEngine } from '../types.js';
import { createSlackIntegration } from './integration.js';

export interface SlackRuntimeDeps {
  config: Config;
  logger: Logger;
  /** 'store' connection: proposals, threads, audit. */
  storeRedis: Redis;
  /** 'producer' connection: the slack queue. */
  producer: Redis;
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
  kube: KubeApis | null;
  /** Registry for the medic_slack_* metrics. */
  registry: Registry;
  /** The process's one account of Redis outages, for the slack queue and worker. */
  redisErrors: RedisOutageLog;
}

export interface SlackRuntime {
  notifier: AlertNotifier;
  /** Mounted at '/' before any body parser (HTTP mode); empty in Socket Mode. */
  routers: { path: string; handler: NonNullable<ReturnType<typeof createSlackIntegration>['router']> }[];
  processAction(data: ActionJobData, context: JobContext): Promise<void>;
  /** The queue whose depth /metrics reports. */
  queue: ReturnType<typeof createSlackQueue>['queue'];
  /** Worker role: runs thread syncs and `/medic diagnose` with the playbook engine. */
  startWorker(options: {
    connection: Redis;
    engine: DiagnosisEngine;
    concurrency: number;
  }): ReturnType<typeof startSlackWorker>;
  /** Connects Socket Mode when SLACK_APP_TOKEN is set. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const DIAGNOSE_ORDER: DiagnoseKind[] = ['Pod', 'Deployment', 'StatefulSet'];

const noCluster = (what: string) =>
  new MedicError('UNAVAILABLE', `No Kubernetes cluster is configured, so Medic cannot ${what}.`, { permanent: true });

export function createSlackRuntime(deps: SlackRuntimeDeps): SlackRuntime {
  const { config, kube, logger } = deps;
  const remediation: Pick<Remediation, 'prepare' | 'execute'> = kube
    ? createRemediation({
        writer: createClusterWriter(kube),
        settings: config.settings,
        redis: deps.storeRedis,
        keyPrefix: config.queuePrefix,
        alertmanagerUrl: config.alertmanager.url,
        logger,
      })
    : {
        prepare: async () => ({ ok: false, reason: 'no Kubernetes cluster is configured' }),
        execute: async () => Promise.reject(noCluster('run actions')),
      };
  const reader = kube ? createClusterReader(kube) : null;
  const approvals = new Counter({
    name: 'medic_slack_approval_decisions_total',
    help: 'Approve-button clicks by decision (approved, or the refusal reason)',
    labelNames: ['decision'] as const,
    registers: [deps.registry],
  });
  const rateLimited = new Counter({
    name: 'medic_slack_rate_limited_total',
    help: 'Slack Web API answers 429 (the client waits Retry-After and retries)',
    registers: [deps.registry],
  });
  const slackQueue = createSlackQueue({
    connection: deps.producer,
    prefix: config.queuePrefix,
    redisErrors: deps.redisErrors,
  });
  let engine: DiagnosisEngine | null = null;
  const integration = createSlackIntegration({
    config,
    prefix: config.queuePrefix,
    redis: deps.storeRedis,
    enqueueAction: deps.enqueueAction,
    addSlackJob: slackQueue.add,
    remediation,
    resolveScaleTarget: reader
      ? scaleTargetResolver((ns, name) => resolveScaleTarget(reader, ns, name))
      : async () => ({ ok: false, message: 'No Kubernetes cluster is configured; /scale cannot resolve workloads.' }),
    ...(reader
      ? {
          findDiagnoseTarget: async (namespace: string, name: string, kind?: DiagnoseKind) => {
            for (const candidate of kind ? [kind] : DIAGNOSE_ORDER) {
              const found =
                candidate === 'Pod'
                  ? await reader.getPod(namespace, name)
                  : await reader.getWorkload(namespace, candidate, name);
              if (found) return candidate;
            }
            return null;
          },
        }
      : {}),
    onDecision: (decision) => approvals.inc({ decision: decision.ok ? 'approved' : decision.reason }),
    diagnoseTarget: async (target, signal) => {
      if (engine && 'diagnoseTarget' in engine && typeof engine.diagnoseTarget === 'function') {
        return engine.diagnoseTarget(target, signal);
      }
      throw new MedicError('UNAVAILABLE', 'The playbook engine is not available for /medic diagnose.', {
        permanent: true,
      });
    },
    logger,
  });

  integration.slackApp.client.on(WebClientEvent.RATE_LIMITED, () => rateLimited.inc());

  return {
    notifier: integration.notifier,
    routers: integration.router ? [{ path: '/', handler: integration.router }] : [],
    processAction: integration.processAction,
    queue: slackQueue.queue,
    startWorker(options) {
      engine = options.engine;
      return startSlackWorker({
        connection: options.connection,
        prefix: config.queuePrefix,
        processors: integration.slackProcessors,
        concurrency: options.concurrency,
        logger,
        redisErrors: deps.redisErrors,
      });
    },
    start: () => integration.slackApp.start(),
    async close() {
      await integration.slackApp.stop();
      await slackQueue.close();
    },
  };
}
