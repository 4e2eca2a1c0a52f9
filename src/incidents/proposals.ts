/**
 * Turning proposed actions into stored proposals: each action is dry-run first (remediation.prepare); one
 * that fails gets no proposal (so no button), and the view says why. Used for diagnoses (incident.ts) and
 * `/scale` alike.
 */
import type { Remediation } from '../remediation/index.js';
import type { AuditLog } from '../store/audit.js';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { ProposalOrigin, ProposedAction } from '../types.js';
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
  unavailable: { kind: string; title: string; reason: string }[];
}

/** One-line description of what a proposal acts on, for audit entries and messages. */

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
      created.unavailable.push({ kind: action.kind, title: action.title, reason: prepared.reason });
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
