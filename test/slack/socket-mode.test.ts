/**
 * Socket Mode end to end: Medic's Bolt app with SLACK_APP_TOKEN (the real SocketModeReceiver and
 * @slack/socket-mode client) connects through the simulator's apps.connections.open and WebSocket; slash
 * commands and button clicks arrive as envelopes and their acks come back over the same socket.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseSettings } from '../../src/config/load.js';
import { MedicError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createQueues, startActionWorker } from '../../src/queue/index.js';
import { createSlackQueue, startSlackWorker } from '../../src/queue/slack.js';
import { createSlackIntegration } from '../../src/slack/integration.js';
import { type MessageView, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createProposalStore } from '../../src/store/proposals.js';
import { startTestMedic } from '../support/medic.js';
import { connect } from '../support/redis.js';
import { BOT_TOKEN, recordingRemediation, SIGNING_SECRET, USERS, waitForChange } from '../support/slack.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

const APP_TOKEN = 'xapp-1-A0MEDIC01-socket-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

async function startSimulator(options: { ackTimeoutMs?: number } = {}) {
  const sim = await startSlackSimulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: USERS,
    usergroups: { SONCALL: ['UGROUPMEMBER'] },
    appToken: APP_TOKEN,
    ...options,
  });
  cleanups.push(() => sim.close());
  return sim;
}

/** The Slack side as Medic wires it, with Socket Mode instead of the HTTP router (no eventsUrl anywhere). */
async function startSocketStack(options: { appToken?: string } = {}) {
  const sim = await startSimulator();
  const prefix = `test-socket-${randomBytes(6).toString('hex')}`;
  const redis = connect('worker');
  const logger = createLogger('silent');
  const recording = recordingRemediation();
  const queues = createQueues({ connection: redis, prefix, backoffMs: 50 });
  const slackQueue = createSlackQueue({ connection: redis, prefix, backoffMs: 50 });
  const integration = createSlackIntegration({
    config: {
      slack: {
        botToken: BOT_TOKEN,
        signingSecret: undefined,
        appToken: options.appToken ?? APP_TOKEN,
        defaultChannel: 'CALERTS',
        apiUrl: sim.apiUrl,
      },
      settings: parseSettings('approvers: [UAPPROVER, USECOND, SONCALL]\n', 'medic.yaml'),
    },
    prefix,
    redis,
    enqueueAction: queues.enqueueAction,
    addSlackJob: slackQueue.add,
    remediation: recording.remediation,
    resolveScaleTarget: async () => ({ ok: false, message: 'no workloads in this test' }),
    diagnoseTarget: async () => Promise.reject(new Error('no diagnoseTarget in this test')),
    logger,
    updateIntervalMs: 300,
    retry: { retries: 2, minTimeout: 5, maxTimeout: 50 },
  });
  const actionWorker = startActionWorker({
    connection: redis,
    prefix,
    processor: integration.processAction,
    concurrency: 4,
    logger,
    metrics: createMetrics(),
  });
  const slackWorker = startSlackWorker({
    connection: redis,
    prefix,
    processors: integration.slackProcessors,
    concurrency: 4,
    logger,
  });
  cleanups.push(async () => {
    await integration.slackApp.stop();
    await actionWorker.close();
    await slackWorker.close();
    await queues.close();
    await slackQueue.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return {
    sim,
    redis,
    prefix,
    integration,
    queues,
    recording,
    proposals: createProposalStore(redis, prefix),
    audit: createAuditLog(redis, prefix),
    waitFor: <T>(predicate: () => T | undefined | false) => waitForChange(sim, predicate),
  };
}

type SocketStack = Awaited<ReturnType<typeof startSocketStack>>;

const ephemeralsFor = (s: SocketStack, user: string) =>
  s.sim.conversations().flatMap((c) => c.ephemerals.filter((e) => e.user === user));

function approveButton(message: { blocks: unknown[] }) {
  const buttons = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap(
    (b) => (b.type === 'actions' ? (b.elements ?? []) : []),
  );
  const [button] = buttons;
  if (!button) throw new Error('the diagnosis reply has no button');
  return button;
}

async function postDiagnosis(s: SocketStack): Promise<MessageView> {
  const event = alertEvent('so01');
  await s.integration.notifier.notifyFiring(event, diagnosisFor(event));
  const reply = await s.waitFor(() => s.sim.conversations()[0]?.messages[0]?.replies[0]);
  return { ...reply, replies: [] };
}

const click = (s: SocketStack, userId: string, reply: MessageView) => {
  const button = approveButton(reply);
  return s.sim.clickButton({
    userId,
    channel: 'CALERTS',
    messageTs: reply.ts,
    actionId: button.action_id,
    value: button.value,
  });
};

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it('connects through apps.connections.open and answers /medic help over the socket, then closes it on stop', async () => {
    const s = await startSocketStack();
    await s.integration.slackApp.start();
    expect(s.sim.socketConnections()).toBe(1);
    expect(s.sim.calls().filter((c) => c.method === 'apps.connections.open')).toMatchObject([{ ok: true }]);

    const answer = await s.sim.runSlashCommand({
      userId: 'UOUTSIDER',
      channel: 'CALERTS',
      command: '/medic',
      text: 'help',
    });
    expect(answer.status).toBe(200);
    const help = await s.waitFor(() => ephemeralsFor(s, 'UOUTSIDER')[0]);
    expect(help.text).toContain('/medic diagnose');

    await s.integration.slackApp.stop();
    expect(s.sim.socketConnections()).toBe(0);
    await expect(
      s.sim.runSlashCommand({ userId: 'UOUTSIDER', channel: 'CALERTS', command: '/medic', text: 'help' }),
    ).rejects.toThrow('No app is connected');
  });

  it('answers a command Medic has no handler for with the commands it knows, instead of leaving it unacked', async () => {
    const s = await startSocketStack();
    await s.integration.slackApp.start();
    const answer = await s.sim.runSlashCommand({
      userId: 'UOUTSIDER',
      channel: 'CALERTS',
      command: '/medic-staging',
      text: 'diagnose',
    });
    expect(answer.status).toBe(200);
    const pointer = await s.waitFor(() => ephemeralsFor(s, 'UOUTSIDER')[0]);
    expect(pointer.text).toBe('Medic has no command /medic-staging; it answers `/scale` and `/medic` (`/medic help`).');
    expect(s.sim.conversations().flatMap((c) => c.messages)).toEqual([]);
    await s.integration.slackApp.stop();
  });

  it("runs an approver's click over the socket exactly once and shows who approved and the outcome", async () => {
    const s = await startSocketStack();
    await s.integration.slackApp.start();
    const reply = await postDiagnosis(s);
    const proposalId = approveButton(reply).value;
    const answers = await Promise.all(['UAPPROVER', 'USECOND', 'UAPPROVER'].map((u) => click(s, u, reply)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);

    const updated = await s.waitFor(() => {
      const r = s.sim.conversations()[0]?.messages[0]?.replies[0];
      return r && JSON.stringify(r.blocks).includes('Done (approved by') ? r : undefined;
    });
    expect(s.recording.executed.map((p) => p.id)).toEqual([proposalId]);
    const approvedBy = (await s.proposals.get(proposalId))?.approvedBy;
    expect(JSON.stringify(updated.blocks)).toContain(`<@${approvedBy}>`);
    expect(JSON.stringify(updated.blocks)).toContain('set-memory-limit applied');
    const replies = await s.waitFor(() => {
      const all = [...ephemeralsFor(s, 'UAPPROVER'), ...ephemeralsFor(s, 'USECOND')];
      return all.length === 3 ? all : undefined;
    });
    expect(replies.filter((e) => e.text.startsWith('Approved:'))).toHaveLength(1);
  });

  it('refuses a non-approver over the socket and changes nothing', async () => {
    const s = await startSocketStack();
    await s.integration.slackApp.start();
    const reply = await postDiagnosis(s);
    const proposalId = approveButton(reply).value;

    expect((await click(s, 'UOUTSIDER', reply)).status).toBe(200);
    const refusal = await s.waitFor(() => ephemeralsFor(s, 'UOUTSIDER')[0]);
    expect(refusal.text).toContain('Only approvers');
    expect((await s.proposals.get(proposalId))?.state).toBe('proposed');
    expect(await s.queues.actions.getJobCounts('waiting', 'active', 'completed', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      delayed: 0,
    });
    expect(s.recording.executed).toHaveLength(0);
    expect(await s.audit.recent(1)).toMatchObject([{ actor: 'UOUTSIDER', outcome: 'refused:not-approver' }]);
  });

  it('stops start-up with a sentence naming SLACK_APP_TOKEN when Slack refuses the app token', async () => {
    const s = await startSocketStack({ appToken: 'xapp-1-not-the-token' });
    const started = s.integration.slackApp.start();
    await expect(started).rejects.toBeInstanceOf(MedicError);
    await expect(started).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'SLACK_APP_TOKEN' });
    await expect(started).rejects.toThrow(/Slack refused SLACK_APP_TOKEN for Socket Mode \(invalid_auth\)/);
    expect(s.sim.socketConnections()).toBe(0);
    // Refused once, not retried: invalid_auth cannot heal by waiting.
    expect(s.sim.calls().filter((c) => c.method === 'apps.connections.open')).toMatchObject([
      { ok: false, error: 'invalid_auth' },
    ]);
  });

  it('medic serve with SLACK_APP_TOKEN connects at start-up, answers over the socket and disconnects on stop', async () => {
    const sim = await startSimulator();
    const medic = await startTestMedic({
      env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: sim.apiUrl, SLACK_CHANNEL: 'C1' },
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await medic.close();
    });
    expect(sim.socketConnections()).toBe(1);
    // No HTTP route for Slack in Socket Mode: Slack never calls Medic.
    const post = await fetch(`${medic.url}/slack/events`, { method: 'POST', body: 'command=%2Fmedic' });
    expect(post.status).toBe(404);
    const ack = await sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'C1', command: '/medic', text: 'help' });
    expect(ack.status).toBe(200);
    const help = await waitForChange(sim, () => sim.conversations()[0]?.ephemerals[0]);
    expect(help).toMatchObject({ user: 'UAPPROVER' });
    expect(help.text).toContain('/medic audit');
    await medic.close();
    stopped = true;
    expect(sim.socketConnections()).toBe(0);
  });

  it('medic serve exits 1 with the sentence when Slack refuses the app token, leaving nothing running', async () => {
    const sim = await startSimulator();
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'medic.js'), 'serve'], {
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'silent',
        MEDIC_QUEUE_PREFIX: `test-socket-${randomBytes(6).toString('hex')}`,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: 'xapp-1-not-the-token',
        SLACK_API_URL: sim.apiUrl,
        SLACK_CHANNEL: 'C1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Slack refused SLACK_APP_TOKEN for Socket Mode \(invalid_auth\)/);
    expect(sim.socketConnections()).toBe(0);
  }, 30_000);
});

describe('the simulator as Socket Mode server', () => {
  it('opens a connection only for the app-level token, and each URL only once', async () => {
    const sim = await startSimulator({ ackTimeoutMs: 200 });
    const open = (token: string) =>
      fetch(`${sim.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
        .then((r) => r.json())
        .then((body) => body as { ok: boolean; url?: string; error?: string });
    expect(await open(BOT_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await open('xapp-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    const opened = await open(APP_TOKEN);
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    // The app token opens sockets; it does not post messages.
    const post = await fetch(`${sim.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${APP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C1', text: 'hi' }),
    });
    expect(await post.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });

    const first = new WebSocket(opened.url ?? '');
    const [hello] = (await once(first, 'message')) as [Buffer];
    expect(JSON.parse(hello.toString())).toMatchObject({ type: 'hello', connection_info: { app_id: 'A0MEDIC01' } });
    const again = new WebSocket(opened.url ?? '');
    const [error] = (await once(again, 'error')) as [Error];
    expect(error.message).toContain('401');

    const pending = sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'C1', command: '/medic', text: 'help' });
    const [envelope] = (await once(first, 'message')) as [Buffer];
    const parsed = JSON.parse(envelope.toString()) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { command: '/medic', text: 'help', user_id: 'UAPPROVER' },
    });
    // An ack with a payload is the command's answer, shown to the user like an HTTP response body.
    first.send(JSON.stringify({ envelope_id: parsed.envelope_id, payload: { text: 'answered in the ack' } }));
    expect(await pending).toEqual({ status: 200, body: '{"text":"answered in the ack"}' });
    expect(sim.conversations()[0]?.ephemerals).toMatchObject([{ user: 'UAPPROVER', text: 'answered in the ack' }]);

    // An envelope no one acknowledges in time fails like Slack's operation_timeout, and shows nothing.
    const unanswered = sim.runSlashCommand({ userId: 'UAPPROVER', channel: 'C1', command: '/medic', text: 'audit' });
    await once(first, 'message');
    expect(await unanswered).toEqual({ status: 504, body: 'operation_timeout' });
    expect(sim.conversations()[0]?.ephemerals).toHaveLength(1);
    first.close();
    await once(first, 'close');
  });
});
