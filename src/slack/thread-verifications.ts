/**
 * The checks after actions in a thread (src/incidents/verify.ts): each checked proposal gets a reply of its own
 * right after the reply that offered it, and the next steps a check offers can be checked in turn. The thread
 * sync (thread-sync.ts) posts and edits these replies like the diagnosis replies.
 */
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import type { ThreadSnapshot } from '../store/threads.js';
import type { Proposal } from '../types.js';
import { renderVerification } from './render/verification.js';

/** The proposals a thread shows: its pairs', then the next steps its checks offered (and theirs). */
export async function loadThreadProposals(
  store: ProposalStore,
  snap: ThreadSnapshot,
): Promise<Map<string, ProposalRecord>> {
  const proposals = new Map<string, ProposalRecord>();
  const asked = new Set<string>();
  let ids = snap.pairs.flatMap((p) => p.proposalIds);
  while (ids.length > 0) {
    for (const id of ids) asked.add(id);
    for (const p of await store.getMany(ids)) if (p) proposals.set(p.id, p);
    ids = [...proposals.values()].flatMap((p) => p.verification?.nextProposalIds ?? []).filter((id) => !asked.has(id));
  }
  return proposals;
}

/** The name under which a thread records the reply of the check after proposal `id` ran. */
export const verificationReplyName = (id: string) => `verify:${id}`;

/** The replies of the checks after `ids` ran, each followed by the checks of the next steps it offered. */
export function renderVerificationReplies(ids: string[], proposals: Map<string, Proposal>, now: number) {
  const out: (ReturnType<typeof renderVerification> & { name: string; proposalIds: string[] })[] = [];
  for (const id of ids) {
    const proposal = proposals.get(id);
    if (!proposal?.verification) continue;
    const { verification } = proposal;
    const next = verification.nextProposalIds.map((n) => proposals.get(n)).filter((p): p is Proposal => !!p);
    const message = renderVerification({ ...proposal, verification }, next, now);
    out.push({ name: verificationReplyName(id), ...message, proposalIds: verification.nextProposalIds });
    out.push(...renderVerificationReplies(verification.nextProposalIds, proposals, now));
  }
  return out;
}
