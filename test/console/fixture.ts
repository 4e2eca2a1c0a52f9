/**
 * The console on its own: the demo snapshot in a real sandbox, the real Slack simulator holding a thread
 * that the real Slack renderer produced, and in place of Medic's Bolt endpoint a small HTTP peer that
 * checks each signed request and answers through response_url as Medic does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import express from 'express';
import { type Console, createConsole } from '../../src/console/router.js';
import { loadDemoScenario } from '../../src/demo/scenario.js';
import { DEMO_CHANNEL, DEMO_USERS } from '../../src/demo/users.js';
import { createLogger } from '../../src/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { renderDiagnosis } from '../../src/slack/render/diagnosis.js';
import { renderParent } from '../../src/slack/render/parent.js';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { signSlackRequest } from '../../src/slack-simulator/signing.js';
import type { Diagnosis, Proposal } from '../../src/types.js';

export interface ReceivedRequest {
  verified: boolean;
  form: Record<string, string>;
  payload?: Record<string, any>;
}

export interface ConsoleFixture {
  url: string;
  sandbox: Sandbox;
  slack: SlackSimulator;
  received: ReceivedRequest[];
  diagnosisTs: string;
  proposalId: string;
  close(): Promise<void>;
}

const BOT_TOKEN = 'xoxb-console-test';
const SIGNING_SECRET = 'console-test-secret';

const DIAGNOSIS: Diagnosis = {
  alert: { fingerprint: 'a3c2a0e3f2b8b0d1', alertname: 'KubernetesContainerOomKiller', status: 'firing' },
  playbook: 'oom-killed',
  target: {
    kind: 'Pod',
    namespace: 'ads',
    name: 'ad-server-7c9d8f6b5-x2klp',
    workload: { kind: 'Deployment', name: 'ad-server' },
  },
  rootCause: {
    code: 'OOM_LIMIT',
    summary: 'Container ad-server was OOMKilled by its own memory limit 256Mi. Raise the limit to 512Mi.',
    confidence: 'high',
  },
  evidence: [
    { kind: 'status', text: 'lastState.terminated.reason=OOMKilled, exit code 137, 6 restarts' },
    { kind: 'metric', text: 'usage 243Mi of 256Mi limit (95%)' },
  ],
  actions: [],
  partial: false,
};

function proposal(id: string): Proposal {
  return {
    id,
    kind: 'set-memory-limit',
    title: 'Raise ad-server limit to 512Mi',
    params: { namespace: 'ads', workload: 'Deployment/ad-server', container: 'ad-server', limit: '512Mi' },
    risk: 'low',
    diff: [{ field: 'containers[ad-server].resources.limits.memory', before: '256Mi', after: '512Mi' }],
    origin: {
      type: 'diagnosis',
      fingerprint: DIAGNOSIS.alert.fingerprint,
      playbook: 'oom-killed',
      rootCause: 'OOM_LIMIT',
    },
    createdAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
    state: 'proposed',
  };
}

async function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Stands in for Medic's /slack/events: verifies, records, and answers ephemerally like Medic's refusal. */
function startEventsPeer(received: ReceivedRequest[]): Promise<Server> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    const expected = signSlackRequest(SIGNING_SECRET, body, timestamp)['x-slack-signature'];
    const form = Object.fromEntries(new URLSearchParams(body));
    const payload = form.payload ? (JSON.parse(form.payload) as Record<string, any>) : undefined;
    received.push({ verified: expected === req.headers['x-slack-signature'], form, ...(payload ? { payload } : {}) });
    res.writeHead(200).end();
    const responseUrl = payload?.response_url ?? form.response_url;
    const user = payload?.user?.id ?? form.user_id;
    if (responseUrl) {
      await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', text: `Received from ${user}.` }),
      });
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const scenario = await loadDemoScenario();
  const sandbox = await startSandbox({ objects: scenario.objects });
  const received: ReceivedRequest[] = [];
  const peer = await startEventsPeer(received);
  const slack = await startSlackSimulator({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: DEMO_USERS,
    eventsUrl: `http://127.0.0.1:${(peer.address() as AddressInfo).port}/slack/events`,
  });
  const web = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const parent = renderParent({
    alertname: 'KubernetesContainerOomKiller',
    namespace: 'ads',
    severity: 'warning',
    firing: 1,
    resolved: 0,
    groupLabels: { namespace: 'ads' },
  });
  const posted = await web.chat.postMessage({ channel: DEMO_CHANNEL, ...parent });
  const proposalId = 'p-7f3a9c2e';
  const reply = renderDiagnosis({
    diagnosis: DIAGNOSIS,
    proposals: [proposal(proposalId)],
    unavailable: [],
    affected: [{ fingerprint: DIAGNOSIS.alert.fingerprint, label: 'ad-server-7c9d8f6b5-x2klp', status: 'firing' }],
    links: {},
    now: Date.now(),
  });
  const diagnosis = await web.chat.postMessage({
    channel: DEMO_CHANNEL,
    thread_ts: posted.ts ?? '',
    text: reply.text,
    blocks: reply.blocks,
    metadata: reply.metadata as never,
  });

  const web2 = createConsole({
    slack,
    cluster: {
      list: (apiVersion, kind, namespace) => sandbox.store.list(apiVersion, kind, namespace),
      onChange: (listener) => {
        sandbox.store.on('change', listener);
        return () => sandbox.store.off('change', listener);
      },
    },
    users: DEMO_USERS,
    channel: DEMO_CHANNEL,
    channelNames: { [DEMO_CHANNEL]: 'incidents' },
    hints: { kubectl: `kubectl --server ${sandbox.url} get deploy -A` },
    logger: createLogger('silent'),
  });
  const app = express();
  app.use('/console', web2.router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const consoleApp: Console = web2;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/console/`,
    sandbox,
    slack,
    received,
    diagnosisTs: diagnosis.ts ?? '',
    proposalId,
    async close() {
      consoleApp.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      peer.closeAllConnections();
      await new Promise((r) => peer.close(r));
      await slack.close();
      await sandbox.close();
    },
  };
}
