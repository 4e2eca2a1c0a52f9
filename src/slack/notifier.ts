/**
 * The Slack view of an incident (src/incidents): it only records what the incident module hands it in Redis and
 * asks for a thread sync; the sync (a queue job) does the Slack writes. So a Slack outage delays posts without
 * failing or losing diagnoses, a retried diagnosis job posts nothing twice, and a storm of alerts turns into a
 * few coalesced writes per group.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { namedTarget } from '../diagnosis/target.js';
import type { IncidentPair, IncidentView } from '../incidents/incident.js';
import type { Logger } from '../logger.js';
import { createRecentKeys } from '../recent-keys.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { ThreadAlert, ThreadStore } from '../store/threads.js';
import type { Diagnosis } from '../types.js';
import type { ProposalMessenger } from './proposal-messages.js';
import { routeChannel } from './routing.js';
import type { SyncScheduler } from './sync-scheduler.js';

export interface SlackViewDeps {
  threads: ThreadStore;
  proposals: ProposalStore;
  scheduler: SyncScheduler;
  /** Re-renders a proposal shown in a message of its own (`/scale`). */
  messenger: Pick<ProposalMessenger, 'refresh'>;
  settings: Pick<Settings, 'channels'>;
  defaultChannel: string | undefined;
  logger: Logger;
  now: () => number;
  /** The configured cluster an alert is about (src/clusters), for `channels` rules and thread headers. */
  clusterOf?: (labels: Record<string, string>) => string | undefined;
  /** Syncs a thread now, in the caller's job (ThreadSync.syncNow); without it, every sync goes to the queue. */
  syncNow?: (threadId: string) => Promise<void>;
}

function alertEntry(event: AlertEvent, status: ThreadAlert['status'], now: number, diagnosis?: Diagnosis): ThreadAlert {
  const labels = event.alert.labels;
  // What a person recognises: the object the alert names, by the engine's own rule (src/diagnosis/target.ts).
  const label = namedTarget(labels)?.name ?? diagnosis?.target?.name ?? labels.alertname;
  return {
    fingerprint: event.alert.fingerprint,
    status,
    label: label ?? event.alert.fingerprint,
    labels,
    generatorURL: event.alert.generatorURL,
    ...(event.alert.annotations.runbook_url ? { runbookURL: event.alert.annotations.runbook_url } : {}),
    ...(event.alert.annotations.dashboard_url ? { dashboardURL: event.alert.annotations.dashboard_url } : {}),
    updatedAt: now,
  };
}

/** The channel of an alert's thread: where `/medic diagnose` was typed, else the `channels` route. */
function channelOf(event: AlertEvent, deps: SlackViewDeps): string {
  const cluster = deps.clusterOf?.({ ...event.commonLabels, ...event.alert.labels });
  return event.requestedBy?.channel ?? routeChannel(event, deps.settings.channels, deps.defaultChannel, cluster);
}

/**
 * How long this process remembers that it recorded a (thread, pair): its repeats in a storm do not send the pair's
 * diagnosis to Redis again (the script needs it only to add a pair; thread keys live 14 days, refreshed on use).
 */
const PAIR_MEMORY_MS = 10 * 60_000;
const PAIR_MEMORY_MAX = 10_000;

export function createSlackIncidentView(deps: SlackViewDeps): IncidentView {
  /** `${thread}|${pair}` this process recorded within PAIR_MEMORY_MS. */
  const knownPairs = createRecentKeys({ windowMs: PAIR_MEMORY_MS, maxKeys: PAIR_MEMORY_MAX, now: deps.now });

  async function showFiring(event: AlertEvent, diagnosis: Diagnosis, pair: IncidentPair): Promise<void> {
    const channel = channelOf(event, deps);
    const id = deps.threads.threadId(channel, event.groupKey);
    const labels = { ...event.commonLabels, ...event.alert.labels };
    const { key, ...pairRecord } = pair;
    // A repeat is a change to show: recorded and its non-urgent sync claimed in one round trip.
    const { added: isNewPair, claimAt } = await deps.threads.recordFiring(
      id,
      {
        meta: {
          channel,
          groupKey: event.groupKey,
          alertname: event.groupLabels.alertname ?? labels.alertname ?? diagnosis.alert.alertname,
          namespace: event.groupLabels.namespace ?? event.commonLabels.namespace ?? labels.namespace,
          // The header names the cluster when the whole group is about it (Alertmanager grouped by the cluster label).
          ...(diagnosis.cluster && deps.clusterOf?.(event.commonLabels) === diagnosis.cluster
            ? { cluster: diagnosis.cluster }
            : {}),
          severity: event.commonLabels.severity ?? labels.severity,
          externalURL: event.externalURL,
          groupLabels: event.groupLabels,
          createdAt: deps.now(),
        },
        alert: alertEntry(event, 'firing', deps.now(), diagnosis),
        pairKey: key,
        ...(knownPairs.has(`${id}|${key}`) ? {} : { newPair: { ...pairRecord, diagnosis } }),
      },
      { now: deps.now(), timing: deps.scheduler.timing },
    );
    knownPairs.touch(`${id}|${key}`);
    deps.logger.debug({ threadId: id, pair: key, isNewPair }, 'diagnosis recorded for slack');
    if (isNewPair) await syncNew(id);
    else if (claimAt !== null) await deps.scheduler.queueClaim(id, claimAt);
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

  /**
   * A diagnosis proposal lives in its thread's reply, so a change asks for an urgent sync of that thread
   * (found from the reply's channel, which the sync records on the proposal once posted; before that, the
   * pending post renders the current state anyway). A `/scale` proposal has a message of its own.
   */
  async function rerenderProposal(proposal: ProposalRecord): Promise<void> {
    if (!proposal.groupKey) return deps.messenger.refresh(proposal);
    const shown = proposal.message ?? (await deps.proposals.get(proposal.id))?.message;
    if (!shown) return;
    await deps.scheduler.requestSync(deps.threads.threadId(shown.channel, proposal.groupKey), {
      urgent: true,
      ...(proposal.pairKey ? { urgentPair: proposal.pairKey } : {}),
    });
  }

  return {
    showFiring,

    async showResolved(event) {
      const id = deps.threads.threadId(channelOf(event, deps), event.groupKey);
      // A resolve for a group Medic never posted has nothing to update; it gets no new message either.
      if (!(await deps.threads.recordResolved(id, alertEntry(event, 'resolved', deps.now())))) return;
      await deps.scheduler.requestSync(id, { urgent: false });
    },

    /** The parent reads the group's silence when it is rendered (ThreadSyncDeps.silenceOf): a sync is enough. */
    async showSilence(event) {
      await deps.scheduler.requestSync(deps.threads.threadId(channelOf(event, deps), event.groupKey), {
        urgent: false,
      });
    },

    rerenderProposal,

    /** The thread's sync renders the verification (its own reply) and the proposal's status line. */
    showVerification: rerenderProposal,
  };
}
