/**
 * Which services exist and who gets which — the wiring half of the composition root (src/main.ts runs the
 * lifecycle: connections, workers, the HTTP server, shutdown). Read top to bottom, one alert's path:
 *   engine (src/diagnosis + playbooks/, or the fallback without a cluster)
 *   → incidents (src/incidents: proposals with their dry runs via src/remediation, shown by a view)
 *   → view: the Slack adapter (src/slack) with SLACK_BOT_TOKEN, else the log
 *   → a click (handlers/slack-actions.ts) → approveProposal → `actions` queue → runApprovedAction.
 * Nothing here decides anything; every function it connects says what it does. It is over 300 lines on purpose:
 * the lint rule that lets only the composition root import handlers/ and playbooks/ names this file, and
 * splitting it would send a reader through two wiring files again (issue 13); what needs neither lives beside
 * its module (src/incidents/services.ts, src/clusters, diagnoseTargetFinder, slackCounters).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Router } from 'express';
import { createAlertmanagerHandler, requireAlertmanagerToken } from '../handlers/alertmanager.js';
import { registerSlackActions } from '../handlers/slack-actions.js';
import { registerSlackCommands } from '../handlers/slack-commands.js';
import { PLAYBOOKS } from '../playbooks/index.js';
import { buildMemoryChartForDiagnosis } from './charts/diagnosis-chart.js';
import type { ClusterLink } from './clusters/connect.js';
import { createClusterRegistry, settingsForCluster } from './clusters/registry.js';
import { type ClusterServices, type Clusters, namedEngine } from './clusters/services.js';
import type { ChooseCluster } from './commands/cluster-flag.js';
import { type DiagnoseCluster, runMedicCommand } from './commands/medic.js';
import { type ResolveScaleTarget, runScaleCommand, type ScaleCluster, scaleTargetResolver } from './commands/scale.js';
import type { Config } from './config/load.js';
import { createPlaybookEngine } from './diagnosis/engine.js';
import { resolveScaleTarget } from './diagnosis/scale-target.js';
import { MedicError } from './errors.js';
import { approveProposal } from './incidents/approve.js';
import { createApproverCheck } from './incidents/approvers.js';
import { createIncidents, type IncidentDeps, type Incidents, type IncidentView } from './incidents/incident.js';
import { createActionRunner } from './incidents/run-action.js';
import type { IncidentServices } from './incidents/services.js';
import type { GroupSilence } from './incidents/silence-decisions.js';
import type { SilenceFollower } from './incidents/silence-follow.js';
import { createVerifier, verificationScheduler } from './incidents/verify.js';
import { createKubeApis, type KubeApis, type KubeRequestInfo, loadKubeConfig } from './kube/client.js';
import { type ClusterReader, createClusterReader } from './kube/reader.js';
import { createClusterWriter } from './kube/writer.js';
import type { Logger } from './logger.js';
import { type Metrics, slackCounters } from './metrics.js';
import { type DiagnoseRequest, diagnoseTargetFinder, processDiagnoseRequest } from './pipeline/diagnose-request.js';
import { createFallbackEngine } from './pipeline/fallback-engine.js';
import { createLogIncidentView } from './pipeline/log-notifier.js';
import { type PipelineDeps, processAlertEvent } from './pipeline/process-alert.js';
import { createSharedDiagnoses } from './pipeline/shared-diagnoses.js';
import type { ActionJobData, AlertJobProcessors, JobProcessor, MedicQueues, SlackQueue } from './queue/index.js';
import { createRemediation, type RemediationService } from './remediation/index.js';
import type { AppDeps } from './server/app.js';
import { createSlackAdapter, type SlackAdapter } from './slack/adapter.js';
import { createIncidentStore } from './store/incidents.js';
import type { ProposalRecord } from './store/proposals.js';
import type { Redis } from './store/redis.js';
import { createThreadStore } from './store/threads.js';
import type { DiagnosisEngine } from './types.js';

/** POST /alertmanager: ALERTMANAGER_TOKEN, then every alert queued on the `alerts` queue. */
export function alertmanagerWebhook(
  token: string | undefined,
  enqueueAlerts: MedicQueues['enqueueAlerts'],
  metrics: Metrics,
): NonNullable<AppDeps['webhook']> {
  return { authorize: requireAlertmanagerToken(token), handle: createAlertmanagerHandler({ enqueueAlerts, metrics }) };
}

/** Each cluster's reader, engine, remediation and settings (its overrides applied), in the registry. */
export function createClusters(links: ClusterLink[], config: Config, redis: Redis, logger: Logger): Clusters {
  const services = links.map((link): ClusterServices => {
    const settings = link.setting ? settingsForCluster(config.settings, link.setting) : config.settings;
    const log = link.name ? logger.child({ cluster: link.name }) : logger;
    return {
      name: link.name,
      kube: link.kube,
      reader: link.kube ? createClusterReader(link.kube) : null,
      settings,
      engine: createEngine(link.kube, { ...config, settings }, log),
      remediation: createRemediationService({ ...config, settings }, link.kube, redis, log, link.name),
    };
  });
  return createClusterRegistry(config.settings, services);
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
export function createEngine(
  kube: KubeApis | null,
  config: Pick<Config, 'settings' | 'prometheusUrl'>,
  logger: Logger,
): DiagnosisEngine {
  if (!kube) return createFallbackEngine();
  return createPlaybookEngine({
    reader: createClusterReader(kube),
    settings: config.settings,
    prometheusUrl: config.prometheusUrl,
    logger,
    playbooks: PLAYBOOKS,
  });
}

const noCluster = () =>
  new MedicError('UNAVAILABLE', 'No Kubernetes cluster is configured, so Medic cannot run actions.', {
    permanent: true,
  });

/** Dry runs and real runs against the cluster; without one, every dry run says why there is no button. */
export function createRemediationService(
  config: Pick<Config, 'settings' | 'queuePrefix' | 'alertmanager'>,
  kube: KubeApis | null,
  redis: Redis,
  logger: Logger,
  cluster?: string,
): RemediationService {
  if (!kube) {
    return {
      prepare: async () => ({ ok: false, reason: 'no Kubernetes cluster is configured' }),
      execute: async () => Promise.reject(noCluster()),
      undone: async () => null,
    };
  }
  return createRemediation({
    writer: createClusterWriter(kube),
    settings: config.settings,
    redis,
    keyPrefix: config.queuePrefix,
    alertmanagerUrl: config.alertmanager.url,
    logger,
    cluster,
  });
}

export interface SlackWiringDeps {
  slack: Config['slack'] & { botToken: string };
  prometheusUrl?: string | undefined;
  redis: Redis;
  prefix: string;
  services: IncidentServices;
  slackQueue: Pick<SlackQueue, 'addSync' | 'removeSync'>;
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
  enqueueDiagnose(request: DiagnoseRequest): Promise<void>;
  /** Schedules the check after a successful action (MedicQueues.enqueueVerification); without it, none is. */
  enqueueVerification?: MedicQueues['enqueueVerification'];
  resolveScaleTarget: ResolveScaleTarget;
  /** Absent without a cluster: `/medic diagnose` then says so. */
  findDiagnoseTarget?: ReturnType<typeof diagnoseTargetFinder>;
  /**
   * The clusters (src/clusters): each proposal's approvers and settings are its cluster's, and commands choose a
   * cluster (`--cluster`, or the channel's) and read it. Without them, `resolveScaleTarget`, `findDiagnoseTarget`
   * and the global approvers hold.
   */
  clusters?: Clusters;
  metrics?: Pick<Metrics, 'registry'>;
  /** The debounce of non-urgent thread edits (SlackAdapterDeps); tests shorten it. */
  maxWaitMs?: number;
  quietMs?: number;
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
  /** With ALERTMANAGER_URL (src/incidents/silence-follow.ts): the group's silence in its parent, and the start of a follow. */
  silenceOf?: (groupKey: string) => Promise<GroupSilence | null>;
  onActionDone?: (proposal: ProposalRecord) => Promise<void>;
  /** Alerts waiting for a worker (MedicQueues.alertsWaiting): a thread does not settle while a storm comes in. */
  alertsWaiting?: () => Promise<number>;
}

export interface SlackWiring {
  adapter: SlackAdapter;
  /** Re-renders a proposal in its thread or message; what approvals and action runs call. */
  view: IncidentView;
  /** The `actions` queue processor: approved proposals run, and their message shows the outcome. */
  runAction: JobProcessor<ActionJobData>;
  router: Router | undefined;
}

/**
 * Slack in: clicks → approveProposal; `/scale` → runScaleCommand; `/medic` → runMedicCommand. Slack out: the
 * adapter's view shows each incident as a thread.
 */
export function wireSlack(deps: SlackWiringDeps): SlackWiring {
  const { services } = deps;
  const { settings, logger, now } = services;
  const counters = deps.metrics ? slackCounters(deps.metrics.registry) : null;
  const prometheusUrl = deps.prometheusUrl;
  const adapter = createSlackAdapter({
    slack: deps.slack,
    channels: settings.channels,
    ...(deps.clusters?.isNamed ? { clusterOf: deps.clusters.nameOf } : {}),
    threads: createThreadStore(deps.redis, deps.prefix),
    proposals: services.proposals,
    addSyncJob: deps.slackQueue.addSync,
    removeSyncJob: deps.slackQueue.removeSync,
    ...(prometheusUrl ? { memoryChart: (d) => buildMemoryChartForDiagnosis(d, { prometheusUrl, logger }) } : {}),
    logger,
    now,
    ...(deps.maxWaitMs ? { maxWaitMs: deps.maxWaitMs } : {}),
    ...(deps.quietMs ? { quietMs: deps.quietMs } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(counters ? { onRateLimited: () => counters.rateLimited.inc() } : {}),
    ...(deps.silenceOf ? { silenceOf: deps.silenceOf } : {}),
    ...(deps.alertsWaiting ? { alertsWaiting: deps.alertsWaiting } : {}),
  });
  const rerenderProposal = adapter.view.rerenderProposal;
  const approverCheck = (list: string[]) =>
    createApproverCheck({ approvers: list, listGroupMembers: adapter.listGroupMembers, logger, now });
  const approvers = approverCheck(settings.approvers);
  const { clusters } = deps;
  const policies = new Map(
    clusters?.all.map((c) => [c.name, { approvers: approverCheck(c.settings.approvers), settings: c.settings }]),
  );
  registerSlackActions(adapter.app, {
    approve: async (input) => {
      const decision = await approveProposal(input, {
        ...services,
        approvers,
        ...(clusters ? { policyFor: (p) => policies.get(clusters.forProposal(p)?.name) ?? null } : {}),
        enqueueAction: deps.enqueueAction,
        rerenderProposal,
      });
      counters?.decisions.inc({ decision: decision.ok ? 'approved' : decision.reason });
      return decision;
    },
  });
  registerSlackCommands(adapter.app, {
    scale: (input) =>
      runScaleCommand(input, {
        ...services,
        resolveScaleTarget: deps.resolveScaleTarget,
        ...(clusters ? { chooseCluster: commandCluster(clusters, scaleCluster) } : {}),
        postProposal: adapter.postProposal,
      }),
    medic: (input) =>
      runMedicCommand(input, {
        ...services,
        enqueueDiagnose: deps.enqueueDiagnose,
        ...(deps.findDiagnoseTarget ? { findTarget: deps.findDiagnoseTarget } : {}),
        ...(clusters ? { chooseCluster: commandCluster(clusters, diagnoseCluster) } : {}),
      }),
  });
  return {
    adapter,
    view: adapter.view,
    runAction: createActionRunner({
      ...services,
      rerenderProposal,
      ...afterDone([
        deps.enqueueVerification && verificationScheduler(settings.verification, deps.enqueueVerification),
        deps.onActionDone,
      ]),
    }),
    router: adapter.router,
  };
}

/** A command's cluster chosen by the registry, with what that command needs of it. */
function commandCluster<T>(clusters: Clusters, pick: (cluster: ClusterServices) => T): ChooseCluster<T> {
  return (flag, channelId) => {
    const choice = clusters.forCommand(flag, channelId);
    return choice.ok ? { ok: true, cluster: pick(choice.cluster) } : choice;
  };
}

const scaleCluster = (c: ClusterServices): ScaleCluster => ({
  name: c.name,
  resolveScaleTarget: createScaleResolver(c.reader),
});

const diagnoseCluster = (c: ClusterServices): DiagnoseCluster => ({
  ...(c.name ? { cluster: { label: c.settings.clusterLabel, name: c.name } } : {}),
  ...(c.reader ? { findTarget: diagnoseTargetFinder(c.reader) } : {}),
});

/** run-action's afterDone from the hooks that are wired (each idempotent per proposal), in order; none: absent. */
function afterDone(hooks: (((proposal: ProposalRecord) => Promise<void>) | undefined)[]) {
  const wired = hooks.filter((hook) => hook !== undefined);
  if (wired.length === 0) return {};
  return {
    afterDone: async (proposal: ProposalRecord) => {
      for (const hook of wired) await hook(proposal);
    },
  };
}

/** The view that shows incidents: Slack's when wired, else the log's. */
export function incidentView(
  view: IncidentView | undefined,
  services: Pick<IncidentServices, 'logger' | 'proposals'>,
): IncidentView {
  return view ?? createLogIncidentView(services.logger, services.proposals);
}

/** The incident module with the view that shows it (incidentView). */
export function wireIncidents(options: {
  redis: Redis;
  prefix: string;
  services: IncidentServices;
  view: IncidentView | undefined;
  openAlerts?: IncidentDeps['openAlerts'];
}): Incidents {
  return createIncidents({
    ...options.services,
    incidents: createIncidentStore(options.redis, options.prefix),
    view: incidentView(options.view, options.services),
    ...(options.openAlerts ? { openAlerts: options.openAlerts } : {}),
  });
}

/**
 * The `alerts` worker's check after a successful action: the same engine diagnoses the target again; the
 * outcome is shown by the incidents' view and counted in medic_fix_verifications_total.
 */
export function wireVerification(options: {
  services: IncidentServices;
  engine: DiagnosisEngine;
  reader: ClusterReader | null;
  /** With several clusters, each proposal is checked in its own (its record's `cluster`). */
  clusters?: Clusters;
  view: IncidentView;
  metrics: Pick<Metrics, 'fixVerifications'>;
}): NonNullable<AlertJobProcessors['verify']> {
  const { clusters } = options;
  return createVerifier({
    ...options.services,
    engine: options.engine,
    reader: options.reader,
    ...(clusters?.isNamed
      ? {
          clusterOf: (proposal: ProposalRecord) => {
            const cluster = clusters.forProposal(proposal);
            return cluster ? { engine: namedEngine(cluster), reader: cluster.reader } : null;
          },
        }
      : {}),
    view: options.view,
    ...(options.services.remediation.undone ? { undone: options.services.remediation.undone } : {}),
    onOutcome: (kind, outcome) => options.metrics.fixVerifications.inc({ kind, outcome }),
  });
}

/** `/scale`'s resolver: the playbooks' scale-target rules on the cluster, or a sentence without one. */
export function createScaleResolver(reader: ClusterReader | null): ResolveScaleTarget {
  if (!reader) {
    return async () => ({
      ok: false,
      message: 'No Kubernetes cluster is configured; /scale cannot resolve workloads.',
    });
  }
  return scaleTargetResolver((ns, name) => resolveScaleTarget(reader, ns, name));
}

/**
 * The `alerts` worker's jobs: an alert and a `/medic diagnose` request take the one diagnosis path; a check after
 * an action runs `verify` (wireVerification).
 */
export function alertJobProcessors(
  deps: Omit<PipelineDeps, 'logger' | 'signal'> &
    Pick<MedicQueues, 'fanOutAlerts'> & {
      silenceFollower?: SilenceFollower | undefined;
      verify?: AlertJobProcessors['verify'];
    },
): AlertJobProcessors {
  const { fanOutAlerts, silenceFollower, verify, ...pipeline } = deps;
  // Alerts share diagnoses of the same object read the same way; `/medic diagnose` asks for a fresh look.
  const shared = createSharedDiagnoses(pipeline.engine, {
    onShared: (d) => pipeline.metrics?.diagnosesShared.inc({ root_cause: d.rootCause.code }),
  });
  return {
    ...(silenceFollower ? { silenceCheck: silenceFollower.check, silenceSweep: silenceFollower.sweep } : {}),
    alert: async (event, ctx) => {
      await processAlertEvent(event, {
        ...pipeline,
        engine: shared,
        logger: ctx.logger,
        signal: ctx.signal,
        firstStart: ctx.firstStart,
      });
    },
    diagnose: async (request, ctx) => {
      await processDiagnoseRequest(request, { ...pipeline, logger: ctx.logger, signal: ctx.signal });
    },
    ...(verify ? { verify } : {}),
    fanOut: fanOutAlerts,
  };
}
