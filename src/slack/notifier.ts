/**
 * The Slack AlertNotifier. It only records state in Redis and asks for a thread sync; the sync (a queue
 * job) does the Slack writes. So a Slack outage delays posts without failing or losing diagnoses, a retried
 * diagnosis job posts nothing twice, and a storm of alerts turns into a few coalesced writes per group.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { createProposals, type ProposalDeps } from '../approvals/create.js';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../logger.js';
import type { FiringRecord, ThreadAlert, ThreadStore } from '../store/threads.js';
import type { AlertNotifier, Diagnosis } from '../types.js';
import { routeChannel } from './routing.js';
import type { SyncScheduler } from './sync-scheduler.js';

export interface SlackNotifierDeps extends ProposalDeps {
  threads: ThreadStore;
  scheduler: SyncScheduler;
  settings: Pick<Settings, 'channels'>;
  defaultChannel: string | undefined;
  logger: Logger;
  /** Syncs a thread now, in the caller's job (ThreadSync.syncNow); without it, every sync goes to the queue. */
  syncNow?: (threadId: string) => Promise<void>;
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
    const key = pairKeyOf(diagnosis);
    let newPair: FiringRecord['newPair'];
    // Proposals are created once per pair, so a diagnosis with actions asks first; one without offers its
    // pair and the store adds it only if it is new (one round trip less).
    if (diagnosis.actions.length === 0) {
      newPair = { diagnosis, proposalIds: [], unavailable: [], createdAt: deps.now() };
    } else if (!(await deps.threads.hasPair(id, key))) {
      const origin = {
        type: 'diagnosis' as const,
        fingerprint: diagnosis.alert.fingerprint,
        playbook: diagnosis.playbook,
        rootCause: diagnosis.rootCause.code,
      };
      const created = await createProposals(diagnosis.actions, origin, { threadId: id, pairKey: key }, deps);
      newPair = {
        diagnosis,
        proposalIds: created.proposals.map((p) => p.id),
        unavailable: created.unavailable,
        createdAt: deps.now(),
      };
    }
    const isNewPair = await deps.threads.recordFiring(id, {
      meta: {
        channel,
        groupKey: event.groupKey,
        alertname: event.groupLabels.alertname ?? labels.alertname ?? diagnosis.alert.alertname,
        namespace: event.groupLabels.namespace ?? event.commonLabels.namespace ?? labels.namespace,
        severity: event.commonLabels.severity ?? labels.severity,
        externalURL: event.externalURL,
        groupLabels: event.groupLabels,
        createdAt: deps.now(),
      },
      alert: alertEntry(event, 'firing', deps.now(), diagnosis),
      pairKey: key,
      ...(newPair ? { newPair } : {}),
    });
    deps.logger.debug({ threadId: id, pair: key, isNewPair }, 'diagnosis recorded for slack');
    if (isNewPair) await syncNew(id);
    else await deps.scheduler.requestSync(id, { urgent: false });
  }

  /**
   * A new reply is posted at once: first right here, inside the job that recorded it (no queue hop), with a
   * client that fails fast; if that attempt fails (Slack error, rate limit, another writer holds the thread),
   * the sync goes to the queue as before, which retries for as long as Slack needs and resumes where this
   * attempt stopped. If this process dies mid-attempt, the job that recorded the pair is retried, and its
   * repeat asks for a sync of the thread (the pair exists by then), so nothing is lost either.
   */
  async function syncNew(id: string): Promise<void> {
    if (deps.syncNow) {
      try {
        await deps.syncNow(id);
        return;
      } catch (error) {
        deps.logger.debug({ err: error, threadId: id }, 'in-job thread sync failed; queueing it');
      }
    }
    await deps.scheduler.requestSync(id, { urgent: true });
  }

  return {
    async notifyFiring(event, diagnosis) {
      const { channel } = await threadOf(event);
      await recordFiring(channel, event, diagnosis);
    },

    notifyFiringIn: recordFiring,

    async notifyResolved(event) {
      const { id } = await threadOf(event);
      // A resolve for a group Medic never posted has nothing to update; it gets no new message either.
      if (!(await deps.threads.recordResolved(id, alertEntry(event, 'resolved', deps.now())))) return;
      await deps.scheduler.requestSync(id, { urgent: false });
    },
  };
}
