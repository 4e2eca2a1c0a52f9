import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSettings } from '../../src/config/load.js';
import { errorMessage } from '../../src/errors.js';
import { checkScopeRails } from '../../src/remediation/rails.js';
import type { MessageView } from '../../src/slack-simulator/index.js';
import { signSlackRequest } from '../../src/slack-simulator/signing.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';
import { recordingRemediation, SIGNING_SECRET, type SlackStack, startSlackStack } from '../support/slack.js';

let s: SlackStack;
afterEach(async () => {
  await s?.close();
});

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(message: { blocks: unknown[] }): Button[] {
  return (message.blocks as { type: string; elements?: Button[] }[]).flatMap((b) =>
    b.type === 'actions' ? (b.elements ?? []) : [],
  );
}

/** Posts a diagnosis for a fresh alert and returns its reply (with buttons) once Slack shows it. */
async function postDiagnosis(stack: SlackStack, fingerprint = 'ab01', namespace = 'ads'): Promise<MessageView> {
  const event = alertEvent(fingerprint, { namespace });
  const diagnosis = diagnosisFor(event);
  for (const action of diagnosis.actions) action.params.namespace = namespace;
  await stack.incidents.recordFiring(event, diagnosis);
  const reply = await stack.waitFor(() => stack.sim.conversations()[0]?.messages[0]?.replies[0]);
  return { ...reply, replies: [] };
}

const ephemeralsFor = (stack: SlackStack, user: string) =>
  stack.sim.conversations().flatMap((c) => c.ephemerals.filter((e) => e.user === user));

const click = (stack: SlackStack, user: string, reply: MessageView, button: Button) =>
  stack.sim.clickButton({
    userId: user,
    channel: 'CALERTS',
    messageTs: reply.ts,
    actionId: button.action_id,
    value: button.value,
  });

describe('POST /slack/events signature checks', () => {
  it('rejects a forged signature, a stale timestamp and a wrong secret with 401, accepts a signed one', async () => {
    s = await startSlackStack();
    const body = new URLSearchParams({ command: '/medic', text: 'help', user_id: 'U1', channel_id: 'C1' }).toString();
    const send = (headers: Record<string, string>) =>
      fetch(s.eventsUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then((r) => r.status);
    const nowSec = Math.floor(s.now() / 1000);
    const good = signSlackRequest(SIGNING_SECRET, body, nowSec);
    expect(await send({ ...good, 'x-slack-signature': `v0=${'0'.repeat(64)}` })).toBe(401);
    expect(await send(signSlackRequest(SIGNING_SECRET, body, nowSec - 301))).toBe(401);
    expect(await send(signSlackRequest('not-the-secret', body, nowSec))).toBe(401);
    expect(await send({})).toBe(401);
    // The clock is injected: a request signed "now" is stale once Medic's clock moves 6 minutes on.
    s.clock.offsetMs = 6 * 60_000;
    expect(await send(good)).toBe(401);
    s.clock.offsetMs = 0;
    expect(await send(good)).toBe(200);
  });
});

describe('POST /slack/events body checks', () => {
  it('answers 400 naming the problem for bodies Medic has no listener for, acks a link button, and changes nothing', async () => {
    s = await startSlackStack();
    const post = async (body: string, contentType = 'application/x-www-form-urlencoded') => {
      const res = await fetch(s.eventsUrl, {
        method: 'POST',
        headers: { ...signSlackRequest(SIGNING_SECRET, body, Math.floor(s.now() / 1000)), 'content-type': contentType },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    // BullMQ's own housekeeping keys change with time, not with input.
    const keys = async () =>
      (await s.redis.keys(`${s.prefix}*`))
        .filter((k) => !/:(stalled-check|events|marker|meta|stalled|limiter)$/.test(k))
        .sort();
    const keysBefore = await keys();
    expect(await post(new URLSearchParams({ payload: 'null' }).toString())).toMatchObject({ status: 400 });
    expect(await post(new URLSearchParams({ payload: '{"type":"view_submission"}' }).toString())).toMatchObject({
      status: 400,
    });
    const otherButton = JSON.stringify({
      type: 'block_actions',
      user: { id: 'UAPPROVER' },
      actions: [{ action_id: 'something.else', value: 'x' }],
    });
    const refused = await post(new URLSearchParams({ payload: otherButton }).toString());
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('has no Medic action');
    // A link button (runbook, dashboard) only opens its URL; Slack still posts the click, which is acked and does nothing.
    const linkClick = JSON.stringify({
      type: 'block_actions',
      user: { id: 'UINTRUDER' },
      actions: [{ action_id: 'medic.link.0' }],
    });
    expect(await post(new URLSearchParams({ payload: linkClick }).toString())).toMatchObject({ status: 200 });
    const unknownCommand = new URLSearchParams({ command: '/deploy', text: 'x', user_id: 'U1', channel_id: 'C1' });
    expect((await post(unknownCommand.toString())).text).toContain('slash command.command');
    expect(await post('{"type":"event_callback"}', 'application/json')).toMatchObject({ status: 400 });
    expect(await post('%%%junk')).toMatchObject({ status: 400 });
    expect(await keys()).toEqual(keysBefore);
  });
});

describe('approve buttons', () => {
  it('refuses a non-approver ephemerally and changes nothing', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s);
    const [button] = buttonsOf(reply);
    const answer = await click(s, 'UOUTSIDER', reply, button!);
    expect(answer.status).toBe(200);
    const refusal = await s.waitFor(() => ephemeralsFor(s, 'UOUTSIDER')[0]);
    expect(refusal.text).toContain('Only approvers');
    expect(await s.queues.actions.getJobCounts('waiting', 'active', 'completed', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      delayed: 0,
    });
    expect((await s.stores.proposals.get(button!.value))?.state).toBe('proposed');
    expect(s.recording.executed).toHaveLength(0);
    const [entry] = await s.stores.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'UOUTSIDER', action: 'refuse', outcome: 'refused:not-approver' });
  });

  it('runs a proposal exactly once when two approvers click five times at once, and shows who and the outcome', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s);
    const [button] = buttonsOf(reply);
    const clicks = ['UAPPROVER', 'USECOND', 'UAPPROVER', 'USECOND', 'UAPPROVER'].map((u) =>
      click(s, u, reply, button!),
    );
    expect((await Promise.all(clicks)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const updated = await s.waitFor(() => {
      const r = s.sim.conversations()[0]?.messages[0]?.replies[0];
      return r && JSON.stringify(r.blocks).includes('Done (approved by') ? r : undefined;
    });
    expect(s.recording.executed.map((p) => p.id)).toEqual([button!.value]);
    const approvedBy = (await s.stores.proposals.get(button!.value))?.approvedBy;
    expect(JSON.stringify(updated.blocks)).toContain(`<@${approvedBy}>`);
    expect(JSON.stringify(updated.blocks)).toContain('set-memory-limit applied');
    // The approved proposal's button is gone; the other proposal keeps its button.
    expect(buttonsOf(updated).map((b) => b.value)).not.toContain(button!.value);
    const answers = await s.waitFor(() => {
      const all = [...ephemeralsFor(s, 'UAPPROVER'), ...ephemeralsFor(s, 'USECOND')];
      return all.length === 5 ? all : undefined;
    });
    expect(answers.filter((e) => e.text.startsWith('Approved:'))).toHaveLength(1);
    expect(answers.filter((e) => e.text.includes('already approved'))).toHaveLength(4);
  });

  it('queues an approval left unqueued by a crash when an approver clicks again, and still runs it once', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s);
    const [button] = buttonsOf(reply);
    // The state a process leaves when it dies after recording the approval and before queueing the job.
    const moved = await s.stores.proposals.transition(
      button!.value,
      ['proposed'],
      'approved',
      { approvedBy: 'UAPPROVER' },
      { now: s.now() },
    );
    expect(moved.ok).toBe(true);
    expect(await s.queues.actions.getJobCounts('waiting', 'active', 'completed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
    });
    await Promise.all([click(s, 'USECOND', reply, button!), click(s, 'UAPPROVER', reply, button!)]);
    await s.waitFor(() => JSON.stringify(s.sim.conversations()[0]?.messages[0]?.replies[0]?.blocks).includes('Done'));
    expect(s.recording.executed.map((p) => p.id)).toEqual([button!.value]);
  });

  it('accepts a member of an approver user group', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s);
    const [button] = buttonsOf(reply);
    await click(s, 'UGROUPMEMBER', reply, button!);
    await s.waitFor(() => ephemeralsFor(s, 'UGROUPMEMBER')[0]?.text.startsWith('Approved:'));
    await s.waitFor(() => JSON.stringify(s.sim.conversations()[0]?.messages[0]?.replies[0]?.blocks).includes('Done'));
    expect(s.recording.executed).toHaveLength(1);
  });

  it('answers an expired proposal clearly and runs nothing', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s);
    const [button] = buttonsOf(reply);
    s.clock.offsetMs = 2 * 3_600_000;
    await click(s, 'UAPPROVER', reply, button!);
    const answer = await s.waitFor(() => ephemeralsFor(s, 'UAPPROVER')[0]);
    expect(answer.text).toContain('expired');
    expect(s.recording.executed).toHaveLength(0);
    expect((await s.stores.proposals.get(button!.value))?.state).toBe('proposed');
  });

  it('refuses an unknown proposal id and a namespace Medic may not touch', async () => {
    s = await startSlackStack();
    const reply = await postDiagnosis(s, 'ac01', 'kube-system');
    const [button] = buttonsOf(reply);
    await click(s, 'UAPPROVER', reply, button!);
    const answer = await s.waitFor(() => ephemeralsFor(s, 'UAPPROVER')[0]);
    expect(answer.text).toContain('may not act in namespace kube-system');
    const payload = JSON.stringify({
      type: 'block_actions',
      user: { id: 'UAPPROVER', username: 'alice' },
      team: { id: 'T1', domain: 'x' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: '1',
      container: { type: 'message', message_ts: reply.ts, channel_id: 'CALERTS', is_ephemeral: false },
      actions: [
        { type: 'button', action_id: 'medic.approve.scale.0', block_id: 'b', value: 'pdeadbeef', action_ts: '1' },
      ],
    });
    const body = new URLSearchParams({ payload }).toString();
    const res = await fetch(s.eventsUrl, {
      method: 'POST',
      headers: {
        ...signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000)),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    expect(res.status).toBe(200);
    // Only the kube-system refusal (a real proposal) is in the audit trail; the unknown id changed nothing.
    const audit = await s.stores.audit.recent(10);
    expect(audit.filter((e) => e.action === 'refuse').map((e) => e.outcome)).toEqual(['refused:namespace']);
    expect(s.recording.executed).toHaveLength(0);
  });

  it('runs a fix in a namespace a glob allows (remediation.namespaces: [ads-*]): the rule that showed the button accepts the click', async () => {
    const recording = recordingRemediation();
    const settingsYaml = 'approvers: [UAPPROVER]\nremediation: {namespaces: ["ads-*"]}\n';
    const settings = parseSettings(settingsYaml, 'medic.yaml');
    s = await startSlackStack({
      settingsYaml,
      remediation: {
        // The dry run's scope check is the real one (src/remediation/rails.ts); the rest is recorded.
        async prepare(action) {
          const namespace = typeof action.params.namespace === 'string' ? action.params.namespace : undefined;
          try {
            checkScopeRails(settings, action.kind, namespace);
          } catch (error) {
            return { ok: false, reason: errorMessage(error) };
          }
          return recording.remediation.prepare(action);
        },
        execute: recording.remediation.execute,
      },
    });
    const reply = await postDiagnosis(s, 'ad01', 'ads-web');
    const [button] = buttonsOf(reply);
    expect(button).toBeDefined();
    await click(s, 'UAPPROVER', reply, button!);
    const answer = await s.waitFor(() => ephemeralsFor(s, 'UAPPROVER')[0]);
    expect(answer.text).toContain('Approved');
    await s.waitFor(() => recording.executed.length === 1);
    expect(recording.executed[0]?.params.namespace).toBe('ads-web');
    await vi.waitFor(async () => expect((await s.stores.proposals.get(button!.value))?.state).toBe('done'), 10_000);
    const refusals = (await s.stores.audit.recent(10)).filter((e) => e.action === 'refuse');
    expect(refusals).toEqual([]);
  });
});
