/**
 * A click on an approve button: the clicker must be an approver, not the proposer of their own slash-command
 * proposal (unless medic.yaml allows self-approval for that kind), and the namespace must be one Medic may
 * remediate. Then the proposal moves proposed → approved in one atomic step and is queued with its id as the
 * job id: however many clicks, approvers or replicas, it runs once. Every decision is audited and logged.
 */
import type { Settings } from '../config/settings.js';
import type { Logger } from '../logger.js';
import { namespaceOutOfScope } from '../remediation/rails.js';
import type { AuditLog } from '../store/audit.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import { describeProposalTarget } from '../vocabulary.js';
import type { ApproverCheck } from './approvers.js';

export type RefusalReason =
  | 'unknown'
  | 'expired'
  | 'not-approver'
  | 'self-approval'
  | 'namespace'
  | 'already'
  | 'cluster';

/** Who may approve and what may run: medic.yaml's, or a cluster's own (`clusters[].approvers`, `.remediation`). */
export interface ApprovalPolicy {
  approvers: ApproverCheck;
  settings: Pick<Settings, 'selfApproval' | 'remediation'>;
}

export type ApprovalDecision =
  | { ok: true; proposal: ProposalRecord; message: string }
  | { ok: false; reason: RefusalReason; message: string; proposal?: ProposalRecord };

export interface ApprovalDeps {
  proposals: ProposalStore;
  audit: AuditLog;
  approvers: ApproverCheck;
  settings: Pick<Settings, 'selfApproval' | 'remediation'>;
  /**
   * With several clusters: the policy of the proposal's cluster, null when that cluster is not configured (any
   * more). Without it, `approvers` and `settings` hold for every proposal.
   */
  policyFor?(proposal: ProposalRecord): ApprovalPolicy | null;
  enqueueAction(proposalId: string): Promise<{ enqueued: boolean }>;
  /** Re-renders wherever the proposal is shown (IncidentView.rerenderProposal). */
  rerenderProposal(proposal: ProposalRecord): Promise<void>;
  logger: Logger;
  now: () => number;
}

function describeOtherState(p: ProposalRecord): string {
  const by = p.approvedBy ? ` by <@${p.approvedBy}>` : '';
  switch (p.state) {
    case 'approved':
    case 'running':
      return `already approved${by} and running`;
    case 'done':
      return `already done (approved${by})`;
    case 'failed':
      return `already ran and failed (approved${by})`;
    default:
      return `no longer open (${p.state})`;
  }
}

export async function approveProposal(
  input: { proposalId: string; userId: string },
  deps: ApprovalDeps,
): Promise<ApprovalDecision> {
  const { proposalId, userId } = input;
  const now = deps.now();
  const log = deps.logger.child({ proposalId, userId });
  const proposal = await deps.proposals.get(proposalId);

  const refuse = async (reason: RefusalReason, message: string, p?: ProposalRecord): Promise<ApprovalDecision> => {
    log.warn({ reason }, 'approval refused');
    // An id that names no proposal is noise (forged or stale input): logged, but the audit trail is for decisions
    // about real proposals, and a bad input must change nothing.
    if (!p) return { ok: false, reason, message };
    await deps.audit.record({
      at: now,
      actor: userId,
      action: 'refuse',
      proposalId,
      kind: p.kind,
      target: describeProposalTarget(p),
      outcome: `refused:${reason}`,
      detail: message,
    });
    return { ok: false, reason, message, proposal: p };
  };

  if (!proposal) return refuse('unknown', 'This proposal is unknown (it may have been removed); nothing was done.');
  const policy = deps.policyFor ? deps.policyFor(proposal) : { approvers: deps.approvers, settings: deps.settings };
  if (!policy) {
    return refuse(
      'cluster',
      `This proposal is for cluster ${proposal.cluster ?? '(none)'}, which Medic is not configured for; nothing was done.`,
      proposal,
    );
  }
  const { approvers, settings } = policy;
  const whose = proposal.cluster ? ` for cluster ${proposal.cluster}` : '';
  if (proposal.state === 'proposed' && now >= proposal.expiresAt) {
    return refuse(
      'expired',
      `This proposal expired; nothing was done. Run the diagnosis again for a fresh one.`,
      proposal,
    );
  }
  if (proposal.state === 'approved' && (await approvers.isApprover(userId))) {
    // A process that died between recording the approval and queueing it leaves the proposal approved but
    // never run. Queueing is idempotent (the job id is the proposal id), so an approver's second click
    // repairs that without ever running it twice.
    await deps.enqueueAction(proposalId);
  }
  if (proposal.state !== 'proposed') {
    return refuse(
      'already',
      `“${proposal.title}” is ${describeOtherState(proposal)}; nothing more was done.`,
      proposal,
    );
  }
  if (!(await approvers.isApprover(userId))) {
    return refuse(
      'not-approver',
      `Only approvers listed in medic.yaml${whose} can approve this; nothing was done.`,
      proposal,
    );
  }
  const { origin } = proposal;
  if (origin.type === 'user' && origin.userId === userId && !settings.selfApproval.includes(proposal.kind)) {
    return refuse('self-approval', 'You proposed this yourself: another approver must confirm it.', proposal);
  }
  // The dry run checked the namespace against the same rule; medic.yaml may have changed since.
  const { namespace } = proposal.params;
  const outside = typeof namespace === 'string' ? namespaceOutOfScope(settings.remediation, namespace) : null;
  if (outside) {
    return refuse(
      'namespace',
      `Medic may not act in namespace ${namespace}${whose} (medic.yaml ${outside.rail}); nothing was done.`,
      proposal,
    );
  }

  const moved = await deps.proposals.transition(
    proposalId,
    ['proposed'],
    'approved',
    { approvedBy: userId },
    {
      now,
      honourExpiry: true,
    },
  );
  if (!moved.ok) {
    // Someone else won the race (or it expired in between): their click counts, this one changes nothing.
    if (moved.reason === 'unknown') return refuse('unknown', 'This proposal is unknown; nothing was done.');
    if (moved.reason === 'expired')
      return refuse('expired', 'This proposal expired; nothing was done.', moved.proposal);
    return refuse('already', `“${proposal.title}” is ${describeOtherState(moved.proposal)}.`, moved.proposal);
  }
  try {
    await deps.enqueueAction(proposalId);
  } catch (error) {
    // Not queued means not approved: put it back so the next click can try again.
    log.warn({ err: error }, 'could not queue an approved proposal; reopening it');
    await deps.proposals.transition(proposalId, ['approved'], 'proposed', {}, { now });
    throw error;
  }
  await deps.audit.record({
    at: now,
    actor: userId,
    action: 'approve',
    proposalId,
    kind: proposal.kind,
    target: describeProposalTarget(proposal),
    outcome: 'approved',
    detail: proposal.title,
  });
  log.info({ kind: proposal.kind }, 'proposal approved');
  await deps.rerenderProposal(moved.proposal);
  return {
    ok: true,
    proposal: moved.proposal,
    message: `Approved: ${proposal.title}. The result will show in the message.`,
  };
}
