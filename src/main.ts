/**
 * The composition root's lifecycle: builds the connections, queues and workers once, passes them in, starts
 * the HTTP server and stops everything on shutdown. Which service gets which lives in src/wiring.ts. With
 * SLACK_BOT_TOKEN, incidents are shown in Slack and fixes can be approved there; without it, diagnoses and
 * proposals are logged and no fix can be approved, so none runs.
 * Over 300 lines because start-up and shutdown read best as one sequence in one file (connect, start workers,
 * listen; then stop in the reverse order within a bound); every decision in it is a call to its own module.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clustersReadiness, connectClusters } from './clusters/connect.js';
import { type Clusters, createClustersEngine, createClustersRemediation } from './clusters/services.js';
import type { Config } from './config/load.js';
import { MedicError } from './errors.js';
import type { IncidentView } from './incidents/incident.js';
import { createIncidentServices } from './incidents/services.js';
import type { SilenceFollowTiming } from './incidents/silence-follow.js';
import { createSilenceService, keepSweepScheduled } from './incidents/silence-service.js';
import type { KubeApis } from './kube/client.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { diagnoseTargetFinder } from './pipeline/diagnose-request.js';
import {
  type ActionJobData,
  createQueues,
  createSlackQueue,
  type JobProcessor,
  type MedicQueues,
  type RunningWorker,
  startActionWorker,
  startAlertWorker,
  startSlackWorker,
} from './queue/index.js';
import { createApp, type MountedRouter, type ReadinessCheck } from './server/app.js';
import { closeWithin } from './server/shutdown.js';
import { createDiagnosisStore, type DiagnosisStore } from './store/diagnoses.js';
import { createRedisConnection, type Redis } from './store/redis.js';
import { createRedisOutageLog } from './store/redis-outage-log.js';
import { createSilenceFollowStore } from './store/silence-follows.js';
import type { DiagnosisEngine } from './types.js';
import {
  alertJobProcessors,
  alertmanagerWebhook,
  connectKube,
  createClusters,
  createScaleResolver,
  incidentView,
  type SlackWiring,
  wireIncidents,
  wireSlack,
  wireVerification,
} from './wiring.js';

export { connectKube, createEngine } from './wiring.js';

export type MedicRole = 'web' | 'worker' | 'all';

/** What tests and the demo inject instead of the production parts. */
export interface MedicOverrides {
  engine?: DiagnosisEngine;
  /** Shows incidents instead of Slack or the log (tests record what they are shown). */
  view?: IncidentView;
  /** Routers mounted before any body parser (Bolt's /slack/events, the demo's /console). */
  routers?: MountedRouter[];
  /** Runs approved proposals; without one, action jobs wait in the queue for a process that has it. */
  actionProcessor?: JobProcessor<ActionJobData>;
  readinessChecks?: Record<string, ReadinessCheck>;
  metrics?: Metrics;
  /**
   * Kubernetes APIs to use instead of the one cluster built from config (null: no cluster). Ignored when
   * medic.yaml lists `clusters`: those are connected as configured.
   */
  kube?: KubeApis | null;
  /** How often silenced groups are checked in Alertmanager (default 1 min) and its restart grace (tests shorten them). */
  silenceFollow?: Partial<SilenceFollowTiming>;
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
  /** The one unnamed cluster's APIs; null with none, or when medic.yaml lists `clusters`. */
  kube: KubeApis | null;
  /** Every cluster Medic serves and its services (src/clusters). */
  clusters: Clusters;
  /**
   * Stops accepting HTTP, lets workers finish or hand back their jobs, closes queues and Redis — within a
   * deadline whatever Redis does. True when everything closed by itself, false when connections were dropped.
   */
  stop(): Promise<boolean>;
}

/** A port that is taken is one sentence naming it and how to choose another, not a stack trace. */
function listenError(error: unknown, port: number): Error {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE')
    return error instanceof Error ? error : new Error(String(error));
  return new MedicError(
    'CONFIG_INVALID',
    `Port ${port} is already in use; stop what listens there or choose another port with PORT (e.g. PORT=${port + 1}; 0 picks a free one).`,
    { field: 'PORT', cause: error },
  );
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

/** The workers' 20 s grace for in-flight jobs plus 5 s to close queues and connections (deploy/ allows 50 s). */
const SHUTDOWN_DEADLINE_MS = 25_000;
const SHUTDOWN_REDIS_DOWN_MS = 3000;

export async function startMedic(options: StartOptions): Promise<RunningMedic> {
  const { config, role } = options;
  const overrides = options.overrides ?? {};
  const logger = (options.logger ?? createLogger(config.logLevel)).child({ role });
  const metrics = overrides.metrics ?? createMetrics({ defaultMetrics: true });
  const isWeb = role !== 'worker';
  const isWorker = role !== 'web';

  // Before any connection is opened: a kubeconfig Medic cannot use stops start-up with nothing left running.
  const env = options.env ?? process.env;
  const links = connectClusters(
    config,
    env,
    () =>
      overrides.kube !== undefined ? overrides.kube : connectKube(config, env, logger, metrics.observeKubeRequest),
    metrics.observeKubeRequest,
  );
  const kube = config.settings.clusters ? null : (links[0]?.kube ?? null);
  // One account of Redis outages for every connection, queue and worker of this process (src/store/redis-outage-log.ts).
  const redisErrors = createRedisOutageLog({ logger });
  const connections: Redis[] = [];
  const open = (purpose: 'worker' | 'producer' | 'store') => {
    const redis = createRedisConnection(config.redis, purpose, { logger, outage: redisErrors });
    connections.push(redis);
    return redis;
  };
  const producer = open('producer');
  const storeRedis = open('store');
  const queues = createQueues({ connection: producer, prefix: config.queuePrefix, logger, redisErrors });
  metrics.observeQueues([queues.alerts, queues.actions]);
  const store = createDiagnosisStore({ redis: storeRedis, prefix: config.queuePrefix });
  const clusters = createClusters(links, config, storeRedis, logger);
  const reader = clusters.isNamed ? null : (clusters.all[0]?.reader ?? null);
  const services = createIncidentServices({
    redis: storeRedis,
    prefix: config.queuePrefix,
    settings: config.settings,
    remediation: createClustersRemediation(clusters),
    logger,
  });
  const silences = config.alertmanager.url
    ? createSilenceService({
        alertmanagerUrl: config.alertmanager.url,
        store: createSilenceFollowStore(storeRedis, config.queuePrefix),
        schedule: queues.scheduleSilenceCheck,
        logger,
        timing: overrides.silenceFollow,
        registry: metrics.registry,
      })
    : null;
  const { botToken } = config.slack;
  const slackQueue = botToken
    ? createSlackQueue({ connection: producer, prefix: config.queuePrefix, redisErrors })
    : null;
  const slack: SlackWiring | null =
    botToken && slackQueue
      ? wireSlack({
          slack: { ...config.slack, botToken },
          prometheusUrl: config.prometheusUrl,
          redis: storeRedis,
          prefix: config.queuePrefix,
          services,
          slackQueue,
          enqueueAction: queues.enqueueAction,
          enqueueDiagnose: queues.enqueueDiagnose,
          alertsWaiting: queues.alertsWaiting,
          enqueueVerification: queues.enqueueVerification,
          resolveScaleTarget: createScaleResolver(reader),
          ...(reader ? { findDiagnoseTarget: diagnoseTargetFinder(reader) } : {}),
          clusters,
          metrics,
          ...(silences ? { silenceOf: silences.silenceOf, onActionDone: silences.onActionDone } : {}),
        })
      : null;
  if (slackQueue) metrics.observeQueues([slackQueue.queue]);

  const workers: RunningWorker[] = [];
  let cancelSweep = () => {};
  if (isWorker) {
    const workerRedis = open('worker');
    const engine = overrides.engine ?? createClustersEngine(clusters);
    const view = incidentView(overrides.view ?? slack?.view, services);
    const incidents = wireIncidents({
      redis: storeRedis,
      prefix: config.queuePrefix,
      services,
      view,
      ...(silences ? { openAlerts: silences.store } : {}),
    });
    const silenceFollower = silences?.follower({ incidents, view, proposals: services.proposals });
    const verify = wireVerification({ services, engine, reader, clusters, view, metrics });
    const pool = { connection: workerRedis, prefix: config.queuePrefix, logger, metrics, redisErrors };
    workers.push(
      startAlertWorker({
        ...pool,
        concurrency: config.workers.alertConcurrency,
        processors: alertJobProcessors({
          engine,
          incidents,
          store,
          metrics,
          fanOutAlerts: queues.fanOutAlerts,
          verify,
          silenceFollower,
        }),
      }),
    );
    cancelSweep = keepSweepScheduled(queues.scheduleSilenceSweep, silences?.timing.intervalMs ?? null, logger);
    if (slack) {
      workers.push(
        startSlackWorker({
          ...pool,
          concurrency: config.workers.alertConcurrency,
          processor: (job) =>
            slack.adapter.syncThread(job.threadId, job.urgentPair ? { urgentPair: job.urgentPair } : {}),
        }),
      );
    }
    const runAction = overrides.actionProcessor ?? slack?.runAction;
    if (runAction) {
      workers.push(startActionWorker({ ...pool, concurrency: config.workers.actionConcurrency, processor: runAction }));
    } else {
      logger.info('Slack is not configured: no fix can be approved, so no remediation worker runs');
    }
  }

  const kubernetes = clustersReadiness(clusters);
  const readinessChecks: Record<string, ReadinessCheck> = {
    redis: async () => {
      await storeRedis.ping();
    },
    ...(kubernetes ? { kubernetes } : {}),
    ...overrides.readinessChecks,
  };
  const app = createApp({
    logger,
    metrics,
    bodyLimit: config.bodyLimit,
    readinessChecks,
    routers: [...(isWeb && slack?.router ? [{ path: '/', handler: slack.router }] : []), ...(overrides.routers ?? [])],
    ...(isWeb ? { webhook: alertmanagerWebhook(config.alertmanager.token, queues.enqueueAlerts, metrics) } : {}),
  });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  let stopping: Promise<boolean> | null = null;
  const closeBackends = async () => {
    cancelSweep();
    await Promise.all(workers.map((w) => w.close()));
    await slack?.adapter.stop();
    await slackQueue?.close();
    await queues.close();
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  };
  const dropConnections = () => {
    const drop = (closing: Promise<unknown>) => closing.catch(() => undefined);
    for (const w of workers) void drop(w.worker.disconnect());
    for (const q of [queues.alerts, queues.actions, slackQueue?.queue]) if (q) void drop(q.disconnect());
    for (const c of connections) c.disconnect();
  };
  let port: number;
  try {
    port = await listen(server, config.port, options.host);
  } catch (error) {
    // Workers and connections already run: stop them, or the process lives on retrying Redis.
    await closeWithin(closeBackends(), { deadlineMs: 3000, force: dropConnections, logger, reason: 'start-up failed' });
    throw listenError(error, config.port);
  }
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      await closeServer(server, 5000);
      // With Redis unreachable, no job can record its result and no QUIT is answered: wait briefly, then drop
      // the connections (BullMQ hands unfinished jobs to another worker once Redis is back). Otherwise jobs get
      // the workers' 20 s grace, plus time to close queues and connections.
      const redisDown = redisErrors.isDown();
      const clean = await closeWithin(closeBackends(), {
        deadlineMs: redisDown ? SHUTDOWN_REDIS_DOWN_MS : SHUTDOWN_DEADLINE_MS,
        force: dropConnections,
        logger,
        reason: redisDown ? 'Redis is unreachable' : 'workers or Redis did not close in time',
      });
      logger.info({ clean }, 'stopped');
      return clean;
    })();
    return stopping;
  };

  try {
    await slack?.adapter.start();
  } catch (error) {
    // E.g. Slack refused SLACK_APP_TOKEN: release the port, workers and Redis so the process can exit.
    await stop();
    throw error;
  }
  if (clusters.isNamed) {
    const found = clusters.all.map((c) => ({ name: c.name, server: c.kube?.server ?? null }));
    logger.info(
      { clusters: found, clusterLabel: config.settings.clusterLabel, defaultCluster: config.settings.defaultCluster },
      'clusters found',
    );
  }
  logger.info({ port, kube: kube ? kube.server : null }, 'medic started');

  return { url: `http://127.0.0.1:${port}`, port, role, queues, store, metrics, kube, clusters, stop };
}
