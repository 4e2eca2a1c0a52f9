/**
 * The Slack AlertNotifier. It only records state in Redis and asks for a thread sync; the sync (a queue
 * job) does the Slack writes. So a Slack outage delays posts without failing or losing diagnoses, a retried
 * diagnosis job posts nothing twice, and a storm of alerts turns into a few coalesced writes per group.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { createProposals, type ProposalDeps } from '../approvals/create.js';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../logger.js';
import type { ThreadAlert, ThreadStore } from '../store/threads.js';
import type { AlertNotifier, Diagnosis } from '../types.js';
import { routeChannel } from './routing.js';
import type { SyncScheduler } from './sync-scheduler.js';

export interface SlackNotifierDeps extends ProposalDeps {
  threads: ThreadStore;
  scheduler: SyncScheduler;
  settings: Pick<Settings, 'channels'>;
  defaultChannel: string | undefined;
  logger: Logger;
}

/** One reply per distinct (root cause, workload) in a group. */
export function pairKeyOf(diagnosis: Diagnosis): string {
  const t = diagnosis.target;
  const where = !t
    ? `alert/${diagnosis.alert.alertname}`
    : t.workload
      ? `${t.namespace ?? ''}/${t.workload.kind}/${t.workload.name}`
      : `${t.namespace ?? ''}/${t.kind}/${t.name}`;
  return `${diagnosis.rootCause.code}|${where}`;
}

function alertEntry(event: AlertEvent, status: ThreadAlert['status'], now: number, diagnosis?: Diagnosis): ThreadAlert {
  const labels = event.alert.labels;
  const label =
    labels.pod ?? labels.deployment ?? labels.statefulset ?? labels.node ?? diagnosis?.target?.name ?? labels.alertname;
  return {
    fingerprint: event.alert.fingerprint,
    status,
    label: label ?? event.alert.fingerprint,
    labels,
    generatorURL: event.alert.generatorURL,
    updatedAt: now,
  };
}

export interface SlackNotifier extends AlertNotifier {
  /** Posts a diagnosis into `channel` regardless of routing (the answer to `/medic diagnose`). */
  notifyFiringIn(channel: string, event: AlertEvent, diagnosis: Diagnosis): Promise<void>;
}

export function createSlackNotifier(deps: SlackNotifierDeps): SlackNotifier {
  const threadOf = async (event: AlertEvent) => {
    const channel = routeChannel(event, deps.settings.channels, deps.defaultChannel);
    const id = deps.threads.threadId(channel, event.groupKey);
    return { channel, id };
  };

  async function recordFiring(channel: string, event: AlertEvent, diagnosis: Diagnosis): Promise<void> {
    const id = deps.threads.threadId(channel, event.groupKey);
    const labels = { ...event.commonLabels, ...event.alert.labels };
    await deps.threads.saveMeta(id, {
      channel,
      groupKey: event.groupKey,
      alertname: event.groupLabels.alertname ?? labels.alertname ?? diagnosis.alert.alertname,
      namespace: event.groupLabels.namespace ?? event.commonLabels.namespace ?? labels.namespace,
      severity: event.commonLabels.severity ?? labels.severity,
      externalURL: event.externalURL,
      groupLabels: event.groupLabels,
      createdAt: deps.now(),
    });
    const key = pairKeyOf(diagnosis);
    let isNewPair = false;
    if (!(await deps.threads.hasPair(id, key))) {
      const origin = {
        type: 'diagnosis' as const,
        fingerprint: diagnosis.alert.fingerprint,
        playbook: diagnosis.playbook,
        rootCause: diagnosis.rootCause.code,
      };
      const created = await createProposals(diagnosis.actions, origin, { threadId: id, pairKey: key }, deps);
      isNewPair = await deps.threads.addPair(id, {
        key,
        diagnosis,
        proposalIds: created.proposals.map((p) => p.id),
        unavailable: created.unavailable,
        createdAt: deps.now(),
      });
    }
    await deps.threads.recordAlert(id, alertEntry(event, 'firing', deps.now(), diagnosis), key);
    deps.logger.debug({ threadId: id, pair: key, isNewPair }, 'diagnosis recorded for slack');
    await deps.scheduler.requestSync(id, { urgent: isNewPair });
  }

  return {
    async notifyFiring(event, diagnosis) {
      const { channel } = await threadOf(event);
      await recordFiring(channel, event, diagnosis);
    },

    notifyFiringIn: recordFiring,

    async notifyResolved(event) {
      const { id } = await threadOf(event);
      const snap = await deps.threads.load(id);
      // A resolve for a group Medic never posted has nothing to update; it gets no new message either.
      if (!snap.meta) return;
      await deps.threads.recordAlert(id, alertEntry(event, 'resolved', deps.now()));
      await deps.scheduler.requestSync(id, { urgent: false });
    },
  };
}
