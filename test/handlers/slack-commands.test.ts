import { afterEach, describe, expect, it } from 'vitest';
import { diagnosisFor } from '../slack/fixtures.js';
import { type SlackStack, startSlackStack } from '../support/slack.js';

let s: SlackStack;
afterEach(async () => {
  await s?.close();
});

const ephemerals = (user: string) => s.sim.conversations().flatMap((c) => c.ephemerals.filter((e) => e.user === user));
const channelMessages = (id: string) => s.sim.conversations().find((c) => c.id === id)?.messages ?? [];
const proposalKeys = async () => (await s.redis.keys(`${s.prefix}:proposal:*`)).length;

async function command(user: string, command: string, text: string) {
  const before = ephemerals(user).length;
  const result = await s.sim.runSlashCommand({ userId: user, channel: 'COPS', command, text });
  expect(result.status).toBe(200);
  return s.waitFor(() => ephemerals(user)[before]);
}

describe('/scale', () => {
  it('posts a proposal that the proposer cannot approve and another approver can', async () => {
    s = await startSlackStack();
    const answer = await command('UAPPROVER', '/scale', 'proxy 6 -n ads');
    expect(answer.text).toContain('Proposed: Scale Deployment/proxy from 2 to 6');
    const [message] = channelMessages('COPS');
    const button = ((message?.blocks ?? []) as { type: string; elements?: Record<string, unknown>[] }[]).find(
      (b) => b.type === 'actions',
    )?.elements?.[0];
    expect(button).toMatchObject({ style: 'danger', confirm: { style: 'danger' } });
    expect(JSON.stringify(message?.blocks)).toContain('<@UAPPROVER> proposed with `/scale proxy 6 -n ads`');
    const clickBy = (userId: string) =>
      s.sim.clickButton({
        userId,
        channel: 'COPS',
        messageTs: message!.ts,
        actionId: button!.action_id as string,
        value: button!.value as string,
      });
    await clickBy('UAPPROVER');
    const refusal = await s.waitFor(() => ephemerals('UAPPROVER')[1]);
    expect(refusal.text).toContain('another approver must confirm');
    expect(s.recording.executed).toHaveLength(0);
    await clickBy('USECOND');
    const done = await s.waitFor(() => {
      const m = channelMessages('COPS')[0];
      return m && JSON.stringify(m.blocks).includes('Done (approved by <@USECOND>)') ? m : undefined;
    });
    expect(done.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(s.recording.executed.map((p) => p.params)).toEqual([
      { namespace: 'ads', workload: 'Deployment/proxy', replicas: 6 },
    ]);
  });

  it('lets a proposer approve their own scale when medic.yaml allows self-approval for scale', async () => {
    s = await startSlackStack({ settingsYaml: 'approvers: [UAPPROVER]\nselfApproval: [scale]\n' });
    await command('UAPPROVER', '/scale', 'proxy 4 -n ads');
    const [message] = channelMessages('COPS');
    const button = ((message?.blocks ?? []) as { type: string; elements?: Record<string, string>[] }[]).find(
      (b) => b.type === 'actions',
    )?.elements?.[0];
    await s.sim.clickButton({
      userId: 'UAPPROVER',
      channel: 'COPS',
      messageTs: message!.ts,
      actionId: button!.action_id!,
      value: button!.value!,
    });
    await s.waitFor(() => JSON.stringify(channelMessages('COPS')[0]?.blocks).includes('Done'));
    expect(s.recording.executed).toHaveLength(1);
  });

  it.each([
    ['proxy 51', 'above the maximum of 50'],
    ['proxy 0', 'below the minimum of 1'],
    ['proxy 25', 'more than the allowed 10×'],
    ['proxy ten', 'not a whole number'],
    ['proxy', 'Usage: `/scale'],
    ['Proxy! 3', 'not a Kubernetes object name'],
    ['proxy 3 -n', 'needs a namespace name'],
    ['web 3', 'No Deployment, StatefulSet or Service named web'],
  ])('answers "/scale %s" with a clear refusal and proposes nothing', async (text, expected) => {
    s = await startSlackStack();
    const answer = await command('UAPPROVER', '/scale', text);
    expect(answer.text).toContain(expected);
    expect(channelMessages('COPS')).toEqual([]);
    expect(await proposalKeys()).toBe(0);
  });
});

describe('/medic', () => {
  it('answers help, and audit lists the latest decisions', async () => {
    s = await startSlackStack();
    expect((await command('UOUTSIDER', '/medic', 'help')).text).toContain('/medic diagnose');
    expect((await command('UOUTSIDER', '/medic', 'audit')).text).toBe('No decisions recorded yet.');
    await command('UAPPROVER', '/scale', 'proxy 3 -n ads');
    const audit = await command('UOUTSIDER', '/medic', 'audit 5');
    expect(audit.text).toContain('<@UAPPROVER> *propose* `scale` ads/Deployment/proxy → proposed');
    expect((await command('UOUTSIDER', '/medic', 'audit 500')).text).toContain('from 1 to 50');
  });

  it('diagnose queues an ordinary diagnosis job and posts the result as a thread in the channel', async () => {
    const looked: unknown[] = [];
    const diagnosed: Record<string, string>[] = [];
    s = await startSlackStack({
      findDiagnoseTarget: async (namespace, name, kind) => {
        looked.push({ namespace, name, kind });
        return name === 'api' ? 'Deployment' : null;
      },
      engine: {
        async diagnose(event) {
          diagnosed.push(event.alert.labels);
          return diagnosisFor(event);
        },
      },
    });
    const answer = await command('UOUTSIDER', '/medic', 'diagnose api -n ads');
    expect(answer.text).toContain('Diagnosing Deployment ads/api');
    const thread = await s.waitFor(() => channelMessages('COPS')[0]?.replies[0] && channelMessages('COPS')[0]);
    expect(looked).toEqual([{ namespace: 'ads', name: 'api', kind: undefined }]);
    // The alert the engine sees is the one kube-state-metrics would raise about the Deployment.
    expect(diagnosed).toEqual([{ alertname: 'MedicDiagnose', namespace: 'ads', deployment: 'api' }]);
    expect(thread.replies[0]?.metadata?.event_payload.root_cause).toBe('OOM_LIMIT');
    expect(channelMessages('CALERTS')).toEqual([]);
    const missing = await command('UOUTSIDER', '/medic', 'diagnose pod/nope -n ads');
    expect(missing.text).toBe('No pod named `nope` in namespace ads; nothing was diagnosed.');
    expect((await command('UOUTSIDER', '/medic', 'diagnose')).text).toContain('Usage: `/medic diagnose');
    expect(diagnosed).toHaveLength(1);
  });
});
