/**
 * Runs an approved action (the `actions` queue processor): load the proposal → mark it running →
 * remediation.execute → record the outcome in the proposal and the audit log → re-render it where it is
 * shown. A permanent failure (or the last attempt) is recorded as "failed" with the API's reason; a transient
 * one is thrown so the queue retries it. After a success, `afterDone` schedules the check whether it worked
 * (verify.ts); a job re-delivered after the action finished schedules it again, which is a no-op once queued
 * (the check's job id derives from the proposal id), so a crash between the two cannot lose it.
 */
import { errorMessage, isMedicError, MedicError } from '../errors.js';
import type { ActionJobData, JobContext } from '../queue/index.js';
import type { Remediation } from '../remediation/index.js';
import type { AuditLog } from '../store/audit.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { Outcome } from '../types.js';
import { describeActionTarget } from '../vocabulary.js';

export interface RunActionDeps {
  proposals: ProposalStore;
  audit: AuditLog;
  remediation: Pick<Remediation, 'execute'>;
  /** IncidentView.rerenderProposal: shows "running", then the outcome. */
  rerenderProposal(proposal: ProposalRecord): Promise<void>;
  /**
   * Called with the proposal once it is done: the check whether it worked is scheduled (verify.ts), a `silence`
   * starts its group's follow; idempotent per proposal.
   */
  afterDone?: (proposal: ProposalRecord) => Promise<void>;
  now: () => number;
}

export function createActionRunner(deps: RunActionDeps) {
  async function finish(proposal: ProposalRecord, outcome: Outcome, context: JobContext): Promise<void> {
    const state = outcome.ok ? 'done' : 'failed';
    const moved = await deps.proposals.transition(proposal.id, ['running'], state, { outcome }, { now: deps.now() });
    await deps.audit.record({
      at: outcome.finishedAt,
      actor: proposal.approvedBy ?? 'unknown',
      action: 'execute',
      proposalId: proposal.id,
      kind: proposal.kind,
      target: describeActionTarget(proposal.params),
      outcome: state,
      detail: outcome.message,
    });
    const log = context.logger.child({ proposalId: proposal.id, kind: proposal.kind });
    if (outcome.ok) log.info({ changes: outcome.changes.length }, 'action done');
    else log.warn({ reason: outcome.message }, 'action failed');
    if (moved.ok) await deps.rerenderProposal(moved.proposal);
    if (moved.ok && outcome.ok) await deps.afterDone?.(moved.proposal);
  }

  return async function runApprovedAction(data: ActionJobData, context: JobContext): Promise<void> {
    const started = await deps.proposals.transition(
      data.proposalId,
      ['approved', 'running'],
      'running',
      {},
      {
        now: deps.now(),
      },
    );
    if (!started.ok) {
      if (started.reason === 'unknown') {
        throw new MedicError('NOT_FOUND', `proposal ${data.proposalId} does not exist`, { permanent: true });
      }
      // Already done or failed (a job re-delivered after it finished): nothing runs twice.
      context.logger.info({ proposalId: data.proposalId, state: started.proposal.state }, 'action already settled');
      if (started.proposal.state === 'done') await deps.afterDone?.(started.proposal);
      return;
    }
    const proposal = started.proposal;
    if (context.attempt === 1) await deps.rerenderProposal(proposal);
    let outcome: Outcome;
    try {
      outcome = await deps.remediation.execute(proposal, context.signal);
    } catch (error) {
      const permanent = isMedicError(error) && error.permanent;
      if (!permanent && context.attempt < context.maxAttempts) throw error;
      outcome = { ok: false, message: errorMessage(error), changes: [], finishedAt: deps.now() };
    }
    await finish(proposal, outcome, context);
  };
}
