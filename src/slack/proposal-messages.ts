/**
 * Keeps the Slack message that shows a proposal current. A diagnosis proposal lives in its thread's reply,
 * so a change asks for an urgent sync of that thread; a slash-command proposal has a message of its own,
 * re-rendered from the stored proposal (so the latest state always wins).
 */
import type { WebClient } from '@slack/web-api';
import type { ProposalRecord, ProposalStore } from '../store/proposals.js';
import { renderProposalMessage } from './render/proposal.js';
import type { SyncScheduler } from './sync-scheduler.js';

export interface ProposalMessenger {
  /** Posts a standalone proposal (e.g. `/scale`) in `channel` and records where it is shown. */
  post(channel: string, proposal: ProposalRecord): Promise<{ ts: string }>;
  /** Re-renders wherever `proposal` is shown. */
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
  scheduler: SyncScheduler;
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
      if (proposal.threadId) {
        await deps.scheduler.requestSync(proposal.threadId, {
          urgent: true,
          ...(proposal.pairKey ? { urgentPair: proposal.pairKey } : {}),
        });
        return;
      }
      const current = (await deps.proposals.get(proposal.id)) ?? proposal;
      if (!current.message) return;
      const message = renderProposalMessage(current, intro(current), deps.now());
      await deps.client.chat.update({ channel: current.message.channel, ts: current.message.ts, ...message });
    },
  };
}
