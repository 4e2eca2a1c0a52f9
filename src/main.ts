/**
 * The composition root: the one place that builds Redis connections, queues, the Kubernetes client, the
 * diagnosis engine, the notifier, workers and the HTTP server, and passes them in. With SLACK_BOT_TOKEN set,
 * src/slack/runtime.ts supplies the notifier, the Bolt router at /slack/events and the remediation processor;
 * without it diagnoses are logged and no fix can be approved, so none runs.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config/load.js';
import { createPlaybookEngine } from './diagnosis/engine.js';
import { createKubeApis, type KubeApis, type KubeRequestInfo, loadKubeConfig } from './kube/client.js';
import { createClusterReader } from './kube/reader.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createFallbackEngine } from './pipeline/fallback-engine.js';
import { createLogNotifier } from './pipeline/log-notifier.js';
import { processAlertEvent } from './pipeline/process-alert.js';
import {
  type ActionJobData,
  createQueues,
  isAlertBatch,
  type JobProcessor,
  type MedicQueues,
  type RunningWorker,
  startActionWorker,
  startAlertWorker,
} from './queue/index.js';
import { createApp, type MountedRouter, type ReadinessCheck } from './server/app.js';
import { createSlackRuntime } from './slack/runtime.js';
import { createDiagnosisStore, type DiagnosisStore } from './store/diagnoses.js';
import { createRedisConnection, type Redis } from './store/redis.js';
import type { AlertNotifier, DiagnosisEngine } from './types.js';

export type MedicRole = 'web' | 'worker' | 'all';

/** What tests and the demo inject instead of the production parts. */
export interface MedicOverrides {
  engine?: DiagnosisEngine;
  notifier?: AlertNotifier;
  /** Routers mounted before any body parser (Bolt's /slack/events, the demo's /console). */
  routers?: MountedRouter[];
  /** Runs approved proposals; without one, action jobs wait in the queue for a process that has it. */
  actionProcessor?: JobProcessor<ActionJobData>;
  readinessChecks?: Record<string, ReadinessCheck>;
  metrics?: Metrics;
  /** Kubernetes APIs to use instead of the ones built from config (null: no cluster). */
  kube?: KubeApis | null;
}

export interface StartOptions {
  config: Config;
  role: MedicRole;
  logger?: Logger;
  overrides?: MedicOverrides;
  /** Interface to listen on; default all interfaces. */
  host?: string;
  /** Environment, to find in-cluster or default kubeconfig; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface RunningMedic {
  url: string;
  port: number;
  role: MedicRole;
  queues: MedicQueues;
  store: DiagnosisStore;
  metrics: Metrics;
  kube: KubeApis | null;
  /** Stops accepting HTTP, lets workers finish or hand back their jobs, closes queues and Redis. */
  stop(): Promise<void>;
}

/** Kubernetes only when a cluster is configured or discoverable; `medic serve` without one still runs. */
export function connectKube(
  config: Config,
  env: Record<string, string | undefined>,
  logger: Logger,
  onRequest?: (info: KubeRequestInfo) => void,
): KubeApis | null {
  const { server, kubeconfig } = config.kube;
  const discoverable =
    server || kubeconfig || env.KUBERNETES_SERVICE_HOST || existsSync(join(env.HOME ?? homedir(), '.kube', 'config'));
  if (!discoverable) {
    logger.warn(
      'no Kubernetes cluster configured (MEDIC_KUBE_SERVER, KUBECONFIG or in-cluster); diagnoses will be UNKNOWN',
    );
    return null;
  }
  return createKubeApis(loadKubeConfig({ server, kubeconfig }), { onRequest });
}

/** The playbook engine reading the cluster; without a cluster, the fallback that says UNKNOWN honestly. */
export function createEngine(kube: KubeApis | null, config: Config, logger: Logger): DiagnosisEngine {
  if (!kube) return createFallbackEngine();
  return createPlaybookEngine({
    reader: createClusterReader(kube),
    settings: config.settings,
    prometheusUrl: config.prometheusUrl,
    logger,
  });
}

async function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Stops accepting connections and lets in-flight requests finish. Keep-alive connections are closed as soon
 * as they go idle (a client mid-request still gets its answer); after `graceMs` every connection is cut.
 */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), 25);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  await closed;
  clearInterval(sweeper);
  clearTimeout(timer);
}

export async function startMedic(options: StartOptions): Promise<RunningMedic> {
  const { config, role } = options;
  const overrides = options.overrides ?? {};
  const logger = (options.logger ?? createLogger(config.logLevel)).child({ role });
  const metrics = overrides.metrics ?? createMetrics({ defaultMetrics: true });
  const isWeb = role !== 'worker';
  const isWorker = role !== 'web';

  const connections: Redis[] = [];
  const open = (purpose: 'worker' | 'producer' | 'store') => {
    const redis = createRedisConnection(config.redis, purpose, { logger });
    connections.push(redis);
    return redis;
  };
  const producer = open('producer');
  const storeRedis = open('store');
  const queues = createQueues({ connection: producer, prefix: config.queuePrefix, logger });
  metrics.observeQueues([queues.alerts, queues.actions]);
  const store = createDiagnosisStore({ redis: storeRedis, prefix: config.queuePrefix });
  const kube =
    overrides.kube !== undefined
      ? overrides.kube
      : connectKube(config, options.env ?? process.env, logger, metrics.observeKubeRequest);
  // Slack (src/slack/runtime.ts) when SLACK_BOT_TOKEN is set: notifier, Bolt router, approvals, `slack` queue.
  const slack = config.slack.botToken
    ? createSlackRuntime({
        config,
        logger,
        storeRedis,
        producer,
        enqueueAction: queues.enqueueAction,
        kube,
        registry: metrics.registry,
      })
    : null;
  if (slack) metrics.observeQueues([slack.queue]);

  const workers: RunningWorker[] = [];
  if (isWorker) {
    const workerRedis = open('worker');
    const engine = overrides.engine ?? createEngine(kube, config, logger);
    const notifier = overrides.notifier ?? slack?.notifier ?? createLogNotifier(logger);
    if (slack)
      workers.push(
        slack.startWorker({ connection: workerRedis, engine, concurrency: config.workers.alertConcurrency }),
      );
    workers.push(
      startAlertWorker({
        connection: workerRedis,
        prefix: config.queuePrefix,
        concurrency: config.workers.alertConcurrency,
        logger,
        metrics,
        processor: async (data, ctx) => {
          if (isAlertBatch(data)) {
            await queues.fanOutAlerts(data.batch);
            return;
          }
          await processAlertEvent(data, { engine, notifier, store, logger: ctx.logger, signal: ctx.signal, metrics });
        },
      }),
    );
    const actionProcessor = overrides.actionProcessor ?? slack?.processAction;
    if (actionProcessor) {
      workers.push(
        startActionWorker({
          connection: workerRedis,
          prefix: config.queuePrefix,
          concurrency: config.workers.actionConcurrency,
          logger,
          metrics,
          processor: actionProcessor,
        }),
      );
    } else {
      logger.info('Slack is not configured: no fix can be approved, so no remediation worker runs');
    }
  }

  const readinessChecks: Record<string, ReadinessCheck> = {
    redis: async () => {
      await storeRedis.ping();
    },
    ...(kube
      ? {
          kubernetes: async (signal: AbortSignal) => {
            await kube.core.getAPIResources(undefined, kube.callOptions(signal));
          },
        }
      : {}),
    ...overrides.readinessChecks,
  };
  const app = createApp({
    logger,
    metrics,
    alertmanagerToken: config.alertmanager.token,
    bodyLimit: config.bodyLimit,
    readinessChecks,
    routers: [...(isWeb ? (slack?.routers ?? []) : []), ...(overrides.routers ?? [])],
    ...(isWeb ? { enqueueAlerts: queues.enqueueAlerts } : {}),
  });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, config.port, options.host);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      await closeServer(server, 5000);
      await Promise.all(workers.map((w) => w.close()));
      await slack?.close();
      await queues.close();
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      logger.info('stopped');
    })();
    return stopping;
  };

  try {
    await slack?.start();
  } catch (error) {
    // E.g. Slack refused SLACK_APP_TOKEN: release the port, workers and Redis so the process can exit.
    await stop();
    throw error;
  }
  logger.info({ port, kube: kube ? kube.server : null }, 'medic started');

  return { url: `http://127.0.0.1:${port}`, port, role, queues, store, metrics, kube, stop };
}
