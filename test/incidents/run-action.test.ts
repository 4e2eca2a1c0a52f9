import { afterEach, describe, expect, it } from 'vitest';
import { MedicError } from '../../src/errors.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { recordingRemediation, type SlackStack, startSlackStack } from '../support/slack.js';

let s: SlackStack;
afterEach(async () => {
  await s?.close();
});

/** Posts a diagnosis, clicks its first button as an approver, and returns the proposal id. */
async function approveFirst(stack: SlackStack): Promise<string> {
  const event = alertEvent('ef01');
  await stack.incidents.recordFiring(event, diagnosisFor(event));
  const reply = await stack.waitFor(() => stack.sim.conversations()[0]?.messages[0]?.replies[0]);
  const button = (reply.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
    (b) => b.type === 'actions',
  )?.elements?.[0];
  if (!button) throw new Error('no button');
  await stack.sim.clickButton({
    userId: 'UAPPROVER',
    channel: 'CALERTS',
    messageTs: reply.ts,
    actionId: button.action_id,
    value: button.value,
  });
  return button.value;
}

const replyText = (stack: SlackStack) => JSON.stringify(stack.sim.conversations()[0]?.messages[0]?.replies[0]?.blocks);

describe('action processor', () => {
  it('records a permanent API refusal as failed with its reason, without retrying', async () => {
    const failing = recordingRemediation({
      failWith: () =>
        new MedicError('FORBIDDEN', 'deployments.apps "api" is forbidden: User cannot patch', {
          permanent: true,
          status: 403,
        }),
    });
    s = await startSlackStack({ remediation: failing.remediation });
    const id = await approveFirst(s);
    await s.waitFor(() => replyText(s).includes(':x: Failed'));
    expect(replyText(s)).toContain('deployments.apps \\"api\\" is forbidden: User cannot patch');
    expect(failing.executed).toHaveLength(1);
    const proposal = await s.stores.proposals.get(id);
    expect(proposal).toMatchObject({ state: 'failed', approvedBy: 'UAPPROVER', outcome: { ok: false } });
    const [entry] = await s.stores.audit.recent(1);
    expect(entry).toMatchObject({ action: 'execute', outcome: 'failed', actor: 'UAPPROVER', proposalId: id });
  });

  it('retries a transient failure and reports it as failed after the last attempt', async () => {
    const flaky = recordingRemediation({ failWith: () => new Error('connect ECONNREFUSED 10.0.0.1:443') });
    s = await startSlackStack({ remediation: flaky.remediation });
    const id = await approveFirst(s);
    await s.waitFor(() => replyText(s).includes(':x: Failed'));
    // The foundation's actions queue gives each job 3 attempts.
    expect(flaky.executed.map((p) => p.id)).toEqual([id, id, id]);
    expect((await s.stores.proposals.get(id))?.outcome?.message).toContain('ECONNREFUSED');
  });
});
