/**
 * "Did it work?" After an action proposed by a diagnosis succeeds, run-action.ts schedules one delayed check
 * (medic.yaml `verification`; the job id derives from the proposal id, so one check per execution whatever the
 * replicas and retries). The check diagnoses the same target again with the same engine, reads the target's state
 * since the change (verify-facts.ts), decides fixed / not fixed / changed (verify-decision.ts; `not checked` when
 * the cluster stayed unreadable through the job's last attempt), offers the next
 * steps the new diagnosis proposes (dry-run first, never the action just run again) and records it all on the
 * proposal once; the view shows it. A retried or duplicated job finds the record and only shows it again.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { MedicError } from '../errors.js';
import type { ClusterReader } from '../kube/reader.js';
import type { JobContext } from '../queue/index.js';
import type { ProposalRecord } from '../store/proposals.js';
import type {
  Diagnosis,
  DiagnosisEngine,
  DiffLine,
  ProposedAction,
  Verification,
  VerificationOutcome,
} from '../types.js';
import { type ActionKind, actionKey, describeProposalTarget } from '../vocabulary.js';
import type { IncidentView } from './incident.js';
import { createProposals, type ProposalDeps } from './proposals.js';
import { type Decision, decideVerification } from './verify-decision.js';
import { readTargetFacts, type TargetFacts, workloadOfTarget } from './verify-facts.js';

/** Actions with nothing to diagnose again: a silence changes what Alertmanager sends, not the cluster. */
const UNVERIFIED_KINDS: ReadonlySet<ActionKind> = new Set(['silence']);

/** True when a done proposal gets a check: it came from a diagnosis (so there is a root cause to look for again). */
export function isVerifiable(proposal: ProposalRecord): boolean {
  return proposal.origin.type === 'diagnosis' && proposal.alert !== undefined && !UNVERIFIED_KINDS.has(proposal.kind);
}

/** How long after the change the check runs (medic.yaml `verification`). */
export function verificationDelayMs(settings: Settings['verification'], kind: ActionKind): number {
  return settings.delays[kind] ?? settings.delay;
}

/**
 * The alert diagnosed again: the original one as of the change (so "recent" means since the change). When it
 * named a pod the change replaced, it names one of the workload's pods now, those with a problem first.
 */
export function verificationEvent(alert: AlertEvent, facts: TargetFacts, changedAt: number): AlertEvent {
  const labels = { ...alert.alert.labels };
  const podLabel = labels.exported_pod !== undefined ? 'exported_pod' : 'pod';
  const named = labels[podLabel];
  const [current] = facts.pods;
  if (named !== undefined && current !== undefined && !facts.pods.includes(named)) labels[podLabel] = current;
  return {
    ...alert,
    alert: { ...alert.alert, labels, status: 'firing', startsAt: new Date(changedAt).toISOString() },
  };
}

/**
 * run-action's `afterDone`: schedules the check of a done proposal, `verification.delays[kind]` (else `delay`)
 * later. Proposals without a diagnosis behind them (`/scale`) or without a target (a silence) get none.
 */
export function verificationScheduler(
  settings: Settings['verification'],
  enqueue: (proposalId: string, delayMs: number) => Promise<void>,
): (proposal: ProposalRecord) => Promise<void> {
  return async (proposal) => {
    if (isVerifiable(proposal)) await enqueue(proposal.id, verificationDelayMs(settings, proposal.kind));
  };
}

const sameAction = (a: ProposedAction, p: ProposalRecord) =>
  actionKey(a.kind, a.params) === actionKey(p.kind, p.params);

/**
 * The change no longer holds: the fields are back to their values before it. Whatever the diagnosis says now, the
 * fix did not take (a GitOps self-heal, a `kubectl apply` from a pipeline or a person put the old value back).
 */
export function undoneDecision(proposal: ProposalRecord, lines: DiffLine[]): Decision {
  const fields = lines.map((l) => `${l.field} is back to ${l.before}`).join('; ');
  const owner = proposal.gitops?.owners.length
    ? ` ${proposal.gitops.owners.join(', ')} syncs it: commit the change to its source instead.`
    : '';
  return {
    outcome: 'not fixed',
    summary: `The change was undone after it ran: ${fields}.${owner}`,
    advice: `The same change would be put back again, so Medic offers no button: ${
      proposal.gitops
        ? 'commit it (the change to commit is on the proposal above)'
        : 'find what reverts it (a GitOps sync, a pipeline, an operator) and change it there'
    }.`,
    evidence: lines.map((l) => ({
      kind: 'status' as const,
      text: `${l.field}: ${l.after} was applied, and it is ${l.before} again`,
    })),
  };
}

export interface VerifierDeps extends ProposalDeps {
  engine: DiagnosisEngine;
  /** Null without a cluster: then no check can run (and no action could have). */
  reader: ClusterReader | null;
  /**
   * With several clusters: the engine and reader of the cluster the proposal ran in (its record's `cluster`), null
   * when that cluster is not configured any more. Without it, `engine` and `reader` check every proposal.
   */
  clusterOf?(proposal: ProposalRecord): { engine: DiagnosisEngine; reader: ClusterReader | null } | null;
  view: Pick<IncidentView, 'showVerification'>;
  /** Remediation.undone: the lines of the change that are back to their value before it (a sync reverted it). */
  undone?: (proposal: ProposalRecord, signal?: AbortSignal) => Promise<DiffLine[] | null>;
  /** Counts a recorded outcome (medic_fix_verifications_total). */
  onOutcome?: (kind: ActionKind, outcome: VerificationOutcome) => void;
}

export function createVerifier(deps: VerifierDeps) {
  async function nextSteps(proposal: ProposalRecord, diagnosis: Diagnosis, signal: AbortSignal) {
    const actions = diagnosis.actions.filter((a) => !sameAction(a, proposal));
    const origin = {
      type: 'diagnosis' as const,
      fingerprint: proposal.alert?.alert.fingerprint ?? diagnosis.alert.fingerprint,
      playbook: diagnosis.playbook,
      rootCause: diagnosis.rootCause.code,
    };
    // The reply of the check shows them: its name is the pair key, so a click re-renders that reply.
    const where = {
      ...(proposal.groupKey ? { groupKey: proposal.groupKey } : {}),
      pairKey: `verify:${proposal.id}`,
      ...(proposal.alert ? { alert: proposal.alert } : {}),
      target: proposal.target ?? diagnosis.target,
      // The next steps act where the checked change did.
      ...(proposal.cluster ? { cluster: proposal.cluster } : {}),
    };
    return createProposals(actions, origin, where, deps, signal);
  }

  async function check(proposal: ProposalRecord, context: JobContext): Promise<Verification | null> {
    const alert = proposal.alert;
    const changedAt = proposal.outcome?.finishedAt;
    const scope = deps.clusterOf ? deps.clusterOf(proposal) : { engine: deps.engine, reader: deps.reader };
    if (!alert || changedAt === undefined || proposal.origin.type !== 'diagnosis' || !scope?.reader) return null;
    const reader = scope.reader.scoped(context.signal);
    const facts = await readTargetFacts(reader, proposal.target, changedAt);
    // Concluding from a cluster Medic could not read would be a guess: the job retries with backoff instead, and
    // its last attempt says in the thread that the fix was not checked (rather than nothing at all).
    const lastAttempt = context.attempt >= context.maxAttempts;
    if (facts.unreadable && !lastAttempt) {
      throw new MedicError('UNAVAILABLE', `cannot check the fix: ${facts.unreadable}`);
    }
    const diagnosis = await scope.engine.diagnose(verificationEvent(alert, facts, changedAt), context.signal);
    const blind =
      facts.unreadable ??
      (diagnosis.partial && diagnosis.rootCause.code === 'UNKNOWN' && workloadOfTarget(proposal.target)
        ? 'the diagnosis could not read the cluster'
        : undefined);
    if (blind && !lastAttempt) throw new MedicError('UNAVAILABLE', `cannot check the fix: ${blind}`);
    if (blind) return notChecked(proposal, diagnosis, blind, { changedAt, attempts: context.attempt });
    const undone = (await deps.undone?.(proposal, context.signal)) ?? [];
    const decision =
      undone.length > 0
        ? undoneDecision(proposal, undone)
        : decideVerification({ origin: proposal.origin.rootCause, target: proposal.target, diagnosis, facts });
    // A change something put back would be put back again: no next step but the change to commit (if an owner is known).
    const next =
      decision.outcome === 'fixed' || undone.length > 0
        ? { proposals: [], unavailable: [] }
        : await nextSteps(proposal, diagnosis, context.signal);
    return {
      ...decision,
      checkedAt: deps.now(),
      changedAt,
      diagnosis,
      nextProposalIds: next.proposals.map((p) => p.id),
      unavailable: next.unavailable,
    };
  }

  /** The check's last attempt could not read the cluster either: say so, with what it saw, and decide nothing. */
  function notChecked(
    proposal: ProposalRecord,
    diagnosis: Diagnosis,
    why: string,
    at: { changedAt: number; attempts: number },
  ): Verification {
    const target = describeProposalTarget(proposal);
    return {
      outcome: 'not checked',
      checkedAt: deps.now(),
      changedAt: at.changedAt,
      summary: `Medic could not read the cluster to check this change (${at.attempts} attempts): ${why}.`,
      evidence: [{ kind: 'status', text: why }, ...diagnosis.evidence.slice(0, 3)],
      advice: `Nothing was decided and no next step is offered: look at ${target} yourself, or ask Medic again with /medic diagnose once the API server answers.`,
      diagnosis,
      nextProposalIds: [],
      unavailable: [],
    };
  }

  /** The `alerts` queue's processor for a `{ verify }` job. */
  return async function verifyFix(request: { proposalId: string }, context: JobContext): Promise<void> {
    const log = context.logger.child({ proposalId: request.proposalId });
    const proposal = await deps.proposals.get(request.proposalId);
    if (!proposal) {
      throw new MedicError('NOT_FOUND', `proposal ${request.proposalId} does not exist`, { permanent: true });
    }
    if (proposal.verification) {
      // A retried or duplicated job: the check was recorded; showing it again is idempotent.
      await deps.view.showVerification(proposal);
      return;
    }
    if (proposal.state !== 'done' || !isVerifiable(proposal)) {
      log.info({ state: proposal.state, kind: proposal.kind }, 'nothing to verify');
      return;
    }
    const verification = await check(proposal, context);
    if (!verification) {
      log.warn({ kind: proposal.kind }, 'cannot verify this proposal: no alert, outcome or cluster to check');
      return;
    }
    const recorded = await deps.proposals.recordVerification(proposal.id, verification);
    if (!recorded) return;
    const final = recorded.proposal.verification ?? verification;
    if (recorded.created) {
      deps.onOutcome?.(proposal.kind, final.outcome);
      await deps.audit.record({
        at: final.checkedAt,
        actor: 'medic',
        action: 'verify',
        proposalId: proposal.id,
        kind: proposal.kind,
        target: describeProposalTarget(proposal),
        outcome: final.outcome,
        detail: final.summary,
      });
      log.info(
        { kind: proposal.kind, outcome: final.outcome, rootCause: final.diagnosis.rootCause.code },
        'fix verified',
      );
    }
    await deps.view.showVerification(recorded.proposal);
  };
}
