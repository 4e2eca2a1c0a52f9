/**
 * What happens to an alert group once an alert is diagnosed or resolved. The incident module owns it: each
 * distinct (root cause, workload) pair gets its proposals once, each dry-run first (so a fix that cannot run
 * gets no button, and the view says why); a resolve is recorded. Whatever shows the incident (the Slack
 * thread, or the log when Slack is not configured) is an IncidentView that renders what this module holds.
 * Approvals (approve.ts) and action outcomes (run-action.ts) change proposals and ask the view to re-render;
 * after a successful action, the check whether it worked (verify.ts) records its verification on the proposal
 * and asks the view to show it.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Logger } from '../logger.js';
import { createRecentValues } from '../recent-keys.js';
import type { IncidentPair, IncidentStore } from '../store/incidents.js';
import type { ProposalRecord } from '../store/proposals.js';
import type { SilenceFollowStore } from '../store/silence-follows.js';
import type { Diagnosis } from '../types.js';
import { createProposals, type ProposalDeps } from './proposals.js';
import type { GroupSilence } from './silence-decisions.js';

export type { IncidentPair } from '../store/incidents.js';

/** How an incident is shown (Slack thread, log lines); every call must be idempotent. */
export interface IncidentView {
  /** A firing alert and its diagnosis; `pair` holds the proposals made for its (root cause, workload). */
  showFiring(event: AlertEvent, diagnosis: Diagnosis, pair: IncidentPair): Promise<void>;
  showResolved(event: AlertEvent): Promise<void>;
  /** Re-renders wherever `proposal` is shown (its state, approver or outcome changed). */
  rerenderProposal(proposal: ProposalRecord): Promise<void>;
  /**
   * The check after `proposal` ran (`proposal.verification`: fixed, not fixed or changed, the evidence, and
   * the next steps as proposals): its own message where the proposal is shown, and the proposal's status line.
   */
  showVerification(proposal: ProposalRecord): Promise<void>;
  /**
   * The group of `event` is silenced (who, until when), or no longer (`null`): src/incidents/silence-follow.ts.
   * A view that reads the group's silence when it renders (Slack's) only needs to re-render.
   */
  showSilence?(event: AlertEvent, silence: GroupSilence | null): Promise<void>;
}

/** What the diagnosis job hands over; the same two calls whatever view is wired in. */
export interface Incidents {
  recordFiring(event: AlertEvent, diagnosis: Diagnosis): Promise<void>;
  recordResolved(event: AlertEvent): Promise<void>;
}

export interface IncidentDeps extends ProposalDeps {
  incidents: IncidentStore;
  view: IncidentView;
  logger: Logger;
  /**
   * With ALERTMANAGER_URL: each group's firing alerts, kept for the silence follower (a silenced alert's resolve
   * never arrives; the follower resolves it from what was stored here).
   */
  openAlerts?: Pick<SilenceFollowStore, 'addFiring' | 'removeResolved'>;
}

/** One reply per distinct (root cause, workload) in a group — and cluster, when Medic serves several. */
export function pairKeyOf(diagnosis: Diagnosis): string {
  const t = diagnosis.target;
  const where = !t
    ? `alert/${diagnosis.alert.alertname}`
    : t.workload
      ? `${t.namespace ?? ''}/${t.workload.kind}/${t.workload.name}`
      : `${t.namespace ?? ''}/${t.kind}/${t.name}`;
  return `${diagnosis.rootCause.code}|${diagnosis.cluster ? `${diagnosis.cluster}:` : ''}${where}`;
}

/**
 * How long this process remembers a group's pair once read or made: a pair is written once and never changed
 * (IncidentStore), so a storm's repeats need not read it again; bounded like the Slack view's memory of pairs.
 */
const PAIR_MEMORY = { windowMs: 10 * 60_000, maxKeys: 10_000 };

export function createIncidents(deps: IncidentDeps): Incidents {
  const knownPairs = createRecentValues<IncidentPair>({ ...PAIR_MEMORY, now: deps.now });

  /**
   * The pair's proposals, made once per group: a repeat (another alert of the same pair, a retried job) reads
   * the first one's. A diagnosis without actions needs no record (nothing to propose, one round trip less).
   */
  async function pairFor(event: AlertEvent, diagnosis: Diagnosis): Promise<IncidentPair> {
    const key = pairKeyOf(diagnosis);
    if (diagnosis.actions.length === 0) return { key, proposalIds: [], unavailable: [], createdAt: deps.now() };
    const memoryKey = `${event.groupKey}\u0000${key}`;
    const remembered = knownPairs.get(memoryKey);
    if (remembered) return remembered;
    const stored = await deps.incidents.getPair(event.groupKey, key);
    if (stored) {
      knownPairs.set(memoryKey, stored);
      return stored;
    }
    const made = await makePair(event, diagnosis, key);
    knownPairs.set(memoryKey, made);
    return made;
  }

  async function makePair(event: AlertEvent, diagnosis: Diagnosis, key: string): Promise<IncidentPair> {
    const origin = {
      type: 'diagnosis' as const,
      fingerprint: diagnosis.alert.fingerprint,
      playbook: diagnosis.playbook,
      rootCause: diagnosis.rootCause.code,
    };
    const where = {
      groupKey: event.groupKey,
      pairKey: key,
      alert: event,
      target: diagnosis.target,
      ...(diagnosis.cluster ? { cluster: diagnosis.cluster } : {}),
    };
    const created = await createProposals(diagnosis.actions, origin, where, deps);
    deps.logger.info(
      { groupKey: event.groupKey, pair: key, proposals: created.proposals.length, unavailable: created.unavailable },
      'proposals made',
    );
    // A job of the same group that raced this one may have stored its proposals first: its win, ours stay unshown.
    return deps.incidents.addPair(event.groupKey, {
      key,
      proposalIds: created.proposals.map((p) => p.id),
      unavailable: created.unavailable,
      createdAt: deps.now(),
    });
  }

  return {
    async recordFiring(event, diagnosis) {
      // `/medic diagnose` answers are no Alertmanager alerts: nothing of theirs can be silenced.
      if (!event.requestedBy) await deps.openAlerts?.addFiring(event);
      await deps.view.showFiring(event, diagnosis, await pairFor(event, diagnosis));
    },
    async recordResolved(event) {
      await deps.openAlerts?.removeResolved(event);
      await deps.view.showResolved(event);
    },
  };
}
