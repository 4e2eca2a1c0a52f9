/**
 * A slash-command proposal (`/scale`) in a message of its own: posted once, re-rendered from the stored
 * proposal on every change (so the latest state always wins). Diagnosis proposals live in their thread's
 * reply instead (notifier.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import { renderProposalMessage } from './render/proposal.js';

export interface ProposalMessenger {
  /** Posts a standalone proposal (e.g. `/scale`) in `channel` and records where it is shown. */
  post(channel: string, proposal: ProposalRecord): Promise<{ ts: string }>;
  /** Re-renders the proposal's own message. */
  refresh(proposal: ProposalRecord): Promise<void>;
}

function intro(proposal: ProposalRecord): string {
  if (proposal.origin.type === 'user') {
    return `<@${proposal.origin.userId}> proposed with \`${proposal.origin.command}\`; another approver must confirm.`;
  }
  return `Medic proposes this for ${proposal.origin.rootCause}.`;
}

export function createProposalMessenger(deps: {
  client: WebClient;
  proposals: ProposalStore;
  now: () => number;
}): ProposalMessenger {
  return {
    async post(channel, proposal) {
      const message = renderProposalMessage(proposal, intro(proposal), deps.now());
      const result = await deps.client.chat.postMessage({ channel, ...message, unfurl_links: false });
      const ts = result.ts as string;
      await deps.proposals.setMessage(proposal.id, { channel, ts });
      return { ts };
    },

    async refresh(proposal) {
      const current = (await deps.proposals.get(proposal.id)) ?? proposal;
      if (!current.message) return;
      const message = renderProposalMessage(current, intro(current), deps.now());
      await deps.client.chat.update({ channel: current.message.channel, ts: current.message.ts, ...message });
    },
  };
}
