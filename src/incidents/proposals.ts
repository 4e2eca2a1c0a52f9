/**
 * Turning proposed actions into stored proposals: each action is dry-run first (remediation.prepare); one
 * that fails gets no proposal (so no button), and the view says why. An object a GitOps tool syncs carries
 * the change to commit either way: on the proposal when medic.yaml `managedBy` warns, on the unavailable
 * entry when it refuses. Used for diagnoses (incident.ts) and `/scale` alike.
 */
import type { Remediation } from '../remediation/index.js';
import type { AuditLog } from '../store/audit.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { ProposalOrigin, ProposedAction, UnavailableAction } from '../types.js';
import { describeActionTarget } from '../vocabulary.js';

export interface ProposalDeps {
  proposals: ProposalStore;
  remediation: Pick<Remediation, 'prepare'>;
  audit: AuditLog;
  /** settings.proposals.ttl */
  ttlMs: number;
  now: () => number;
}

export interface CreatedProposals {
  proposals: ProposalRecord[];
  unavailable: UnavailableAction[];
}

export async function createProposals(
  actions: ProposedAction[],
  origin: ProposalOrigin,
  where: Pick<ProposalRecord, 'groupKey' | 'pairKey' | 'alert' | 'target'>,
  deps: ProposalDeps,
  signal?: AbortSignal,
): Promise<CreatedProposals> {
  const created: CreatedProposals = { proposals: [], unavailable: [] };
  for (const action of actions) {
    const prepared = await deps.remediation.prepare(action, signal);
    if (!prepared.ok) {
      const { gitops } = prepared;
      created.unavailable.push({
        kind: action.kind,
        title: action.title,
        reason: prepared.reason,
        ...(gitops ? { gitops } : {}),
      });
      continue;
    }
    const now = deps.now();
    const proposal: ProposalRecord = {
      id: deps.proposals.newId(),
      kind: action.kind,
      title: action.title,
      params: action.params,
      risk: action.risk,
      diff: prepared.diff,
      ...(prepared.precondition ? { precondition: prepared.precondition } : {}),
      ...(prepared.gitops ? { gitops: prepared.gitops } : {}),
      origin,
      createdAt: now,
      expiresAt: now + deps.ttlMs,
      state: 'proposed',
      ...where,
    };
    await deps.proposals.create(proposal);
    await deps.audit.record({
      at: now,
      actor: origin.type === 'user' ? origin.userId : 'medic',
      action: 'propose',
      proposalId: proposal.id,
      kind: proposal.kind,
      target: describeActionTarget(proposal.params),
      outcome: 'proposed',
      detail: proposal.title,
    });
    created.proposals.push(proposal);
  }
  return created;
}
