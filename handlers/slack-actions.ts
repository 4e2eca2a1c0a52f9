/**
 * Slack button clicks (transport only): Bolt has verified the signature; this acks at once, reads the
 * proposal id from the button, hands the decision to src/incidents/approve.ts and tells the clicker the answer
 * ephemerally. The shared message itself is updated by the approval flow.
 */
import type { ApprovalDecision } from '../src/incidents/approve.js';
import type { BoltApp } from '../src/slack/app.js';
import { LINK_ACTION_PATTERN } from '../src/slack/render/links.js';
import { APPROVE_ACTION_PATTERN } from '../src/slack/render/proposal.js';

export interface SlackActionDeps {
  approve(input: { proposalId: string; userId: string }): Promise<ApprovalDecision>;
}

export function registerSlackActions(app: BoltApp, deps: SlackActionDeps): void {
  // A link button (runbook, dashboard, silence) opens its URL in the browser; Slack still posts the click.
  app.action(LINK_ACTION_PATTERN, async ({ ack }) => {
    await ack();
  });
  app.action(APPROVE_ACTION_PATTERN, async ({ ack, body, action, respond }) => {
    await ack();
    const proposalId = action.type === 'button' && typeof action.value === 'string' ? action.value : '';
    let decision: ApprovalDecision;
    try {
      decision = await deps.approve({ proposalId, userId: body.user.id });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Medic could not record this approval right now; nothing was done. Please click again in a moment.',
      });
      throw error;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, text: decision.message });
  });
}
