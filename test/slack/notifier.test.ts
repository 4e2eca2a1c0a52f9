import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient, WebClientEvent } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createThreadSync, type ThreadSyncDeps } from '../../src/slack/thread-sync.js';

import { startFaultProxy } from '../support/fault-proxy.js';
import {
  BOT_TOKEN,
  type HarnessNotifier,
  harnessNotifier,
  type SlackHarness,
  startSlackHarness,
} from '../support/slack.js';
import { waitFor } from '../support/wait.js';
import { alertEvent, diagnosisFor } from './fixtures.js';

let h: SlackHarness;
let notifier: HarnessNotifier;

beforeEach(async () => {
  h = await startSlackHarness();
  notifier = harnessNotifier(h, { settings: { channels: [{ match: { namespace: 'payments' }, channel: 'CPAY' }] } });
});
afterEach(async () => {
  await h.close();
});

const channel = (id: string) => h.sim.conversations().find((c) => c.id === id);
const writes = () => h.sim.calls().filter((c) => c.method.startsWith('chat.') && c.ok);

describe('Slack notifier: one thread per alert group', () => {
  it('posts one parent and one diagnosis reply with buttons, metadata and links', async () => {
    const event = alertEvent('aa01');
    await notifier.notifyFiring(event, diagnosisFor(event));
    const reply = await h.waitFor(() => channel('CALERTS')?.messages[0]?.replies[0]);
    const parent = channel('CALERTS')?.messages[0];
    expect(parent?.text).toContain('KubePodOOMKilled');
    expect(reply.text).toMatch(/^OOM_LIMIT: /);
    const payload = reply.metadata?.event_payload as { proposals: { id: string; kind: string }[] };
    expect(reply.metadata).toEqual({
      event_type: 'medic_diagnosis',
      event_payload: {
        root_cause: 'OOM_LIMIT',
        playbook: 'oom-killed',
        fingerprint: 'aa01',
        fingerprints: ['aa01'],
        proposals: [
          { id: expect.stringMatching(/^p[0-9a-f]{20}$/), kind: 'set-memory-limit' },
          { id: expect.stringMatching(/^p[0-9a-f]{20}$/), kind: 'rollout-restart' },
        ],
      },
    });
    const json = JSON.stringify(reply.blocks);
    const buttons = (reply.blocks as { type: string; elements?: Record<string, unknown>[] }[]).flatMap((b) =>
      b.type === 'actions' ? (b.elements ?? []) : [],
    );
    expect(buttons.map((b) => b.value)).toEqual(payload.proposals.map((p) => p.id));
    // rollout-restart is risky: red with a confirm dialog; set-memory-limit is not.
    expect(buttons[1]).toMatchObject({ style: 'danger', confirm: { style: 'danger' } });
    expect(buttons[0]).toMatchObject({ style: 'primary' });
    expect(buttons[0]?.confirm).toBeUndefined();
    expect(json).toContain('old → new');
    expect(json).toContain('http://prometheus.example/graph');
    expect(json).toContain('http://alertmanager.example:9093/#/silences/new?filter=');
  });

  it("sends a pair's diagnosis to Redis once: its repeats record only the alert, and still show in the reply", async () => {
    const sent: boolean[] = [];
    const threads = {
      ...h.threads,
      recordFiring: (
        id: string,
        input: Parameters<typeof h.threads.recordFiring>[1],
        claim?: Parameters<typeof h.threads.recordFiring>[2],
      ) => {
        sent.push(input.newPair !== undefined);
        return h.threads.recordFiring(id, input, claim);
      },
    };
    const storm = harnessNotifier(h, { threads });
    for (const fp of ['rp01', 'rp02', 'rp03']) {
      const event = alertEvent(fp);
      await storm.notifyFiring(event, diagnosisFor(event));
    }
    expect(sent).toEqual([true, false, false]);
    const reply = await h.waitFor(() => {
      const shown = channel('CALERTS')?.messages[0]?.replies[0];
      const fps = (shown?.metadata?.event_payload as { fingerprints?: string[] } | undefined)?.fingerprints;
      return fps?.length === 3 ? shown : undefined;
    });
    expect(reply.text).toMatch(/^OOM_LIMIT: /);
  });

  it("shows the group's runbooks, dashboard, alert source and a group silence as link buttons in the parent", async () => {
    const first = alertEvent('rb01');
    first.alert.annotations = {
      runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
      dashboard_url: 'https://grafana.example/d/pods',
    };
    const second = alertEvent('rb02');
    second.alert.annotations = { runbook_url: 'javascript:alert(1)' };
    await notifier.notifyFiring(first, diagnosisFor(first));
    await notifier.notifyFiring(second, diagnosisFor(second));
    const parent = await h.waitFor(() => {
      const message = channel('CALERTS')?.messages[0];
      return JSON.stringify(message?.blocks ?? []).includes('Runbook') ? message : undefined;
    });
    const links = (parent.blocks as { type: string; elements?: Record<string, unknown>[] }[])
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .map((b) => [(b.text as { text: string }).text, b.url]);
    expect(links).toEqual([
      ['Runbook', 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping'],
      ['Dashboard', 'https://grafana.example/d/pods'],
      ['Alert source', 'http://prometheus.example/graph?g0.expr=up'],
      ['Silence group', expect.stringMatching(/^http:\/\/alertmanager\.example:9093\/#\/silences\/new\?filter=/)],
    ]);
  });

  it('routes by namespace, and a repeat of the same alert posts nothing new', async () => {
    const event = alertEvent('bb01', { namespace: 'payments' });
    await notifier.notifyFiring(event, diagnosisFor(event));
    await h.waitFor(() => channel('CPAY')?.messages[0]?.replies[0]);
    const before = writes().length;
    await notifier.notifyFiring(event, diagnosisFor(event));
    await notifier.notifyFiring(event, diagnosisFor(event));
    // The repeat syncs find nothing changed: no post, no edit.
    await h.slackQueue.queue.waitUntilReady();
    await waitForIdle(h);
    expect(writes().length).toBe(before);
    expect(channel('CALERTS')).toBeUndefined();
  });

  it('adds alerts of the same cause and workload to one reply; a new cause gets its own reply', async () => {
    const events = ['cc01', 'cc02', 'cc03'].map((fp) => alertEvent(fp));
    for (const e of events) await notifier.notifyFiring(e, diagnosisFor(e));
    const other = alertEvent('cc04', { pod: 'web-1' });
    await notifier.notifyFiring(other, diagnosisFor(other, { code: 'CRASHLOOP_APP_ERROR', workload: 'web' }));
    const thread = await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m && m.replies.length === 2 && JSON.stringify(m.replies[0]?.blocks).includes('api-cc03') ? m : undefined;
    });
    expect(channel('CALERTS')?.messages).toHaveLength(1);
    expect(thread.replies.map((r) => r.metadata?.event_payload.root_cause)).toEqual([
      'OOM_LIMIT',
      'CRASHLOOP_APP_ERROR',
    ]);
    expect(JSON.stringify(thread.replies[0]?.blocks)).toContain('Affected: 3 alert(s), 3 firing');
  });

  it('one reply for two alerts of one cause and workload names both in its metadata, kept current on the edit', async () => {
    const [first, second] = ['ff02', 'ff01'].map((fp) => alertEvent(fp));
    if (!first || !second) throw new Error('fixtures');
    await notifier.notifyFiring(first, diagnosisFor(first));
    await h.waitFor(() => channel('CALERTS')?.messages[0]?.replies[0]);
    await notifier.notifyFiring(second, diagnosisFor(second));
    const reply = await h.waitFor(() => {
      const r = channel('CALERTS')?.messages[0]?.replies[0];
      return (r?.metadata?.event_payload.fingerprints as string[] | undefined)?.length === 2 ? r : undefined;
    });
    expect(channel('CALERTS')?.messages[0]?.replies).toHaveLength(1);
    expect(reply.metadata?.event_payload).toMatchObject({ fingerprint: 'ff02', fingerprints: ['ff02', 'ff01'] });
    // The second alert reached the reply by an edit, not a second post.
    const edits = writes().filter((c) => c.method === 'chat.update');
    expect(edits.length).toBeGreaterThan(0);
  });

  it('a resolve updates the parent and the diagnosis line; a fully resolved group says so', async () => {
    const a = alertEvent('dd01');
    const b = alertEvent('dd02');
    await notifier.notifyFiring(a, diagnosisFor(a));
    await notifier.notifyFiring(b, diagnosisFor(b));
    await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m?.text.includes('2 firing') && m.replies.length === 1;
    });
    const posts = h.sim.calls().filter((c) => c.method === 'chat.postMessage').length;
    await notifier.notifyResolved(alertEvent('dd01', { status: 'resolved' }));
    await notifier.notifyResolved(alertEvent('dd02', { status: 'resolved' }));
    const parent = await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m?.text.includes('Resolved') && JSON.stringify(m.replies[0]?.blocks).includes('*Resolved*')
        ? m
        : undefined;
    });
    expect(parent.text).toContain('All 2 alert(s) resolved');
    expect(h.sim.calls().filter((c) => c.method === 'chat.postMessage').length).toBe(posts);
  });

  it('a dry run that fails gets no button and the reply says why', async () => {
    const event = alertEvent('ee01');
    const diagnosis = diagnosisFor(event, {
      actions: [
        { kind: 'delete-pod', title: 'Delete pod (unsafe)', params: { namespace: 'ads', pod: 'x' }, risk: 'high' },
      ],
    });
    await notifier.notifyFiring(event, diagnosis);
    const reply = await h.waitFor(() => channel('CALERTS')?.messages[0]?.replies[0]);
    expect(reply.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(JSON.stringify(reply.blocks)).toContain('No button for *Delete pod (unsafe)*');
    expect(reply.metadata?.event_payload.proposals).toEqual([]);
  });
});

async function waitForIdle(harness: SlackHarness): Promise<void> {
  const queue = harness.slackQueue.queue;
  await waitFor(
    async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
    },
    { timeoutMs: 10_000, intervalMs: 20, what: 'the slack queue to be idle' },
  );
}

describe('Slack notifier: a new reply is posted inside the job that recorded it', () => {
  let inJob: HarnessNotifier;
  beforeEach(() => {
    inJob = harnessNotifier(h, { syncNow: h.threadSync.syncNow });
  });

  const queued = async () => {
    const counts = await h.slackQueue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  };
  const posts = () => h.sim.calls().filter((c) => c.method === 'chat.postMessage' && c.ok);
  /** A notifier whose in-job posts go to `slackApiUrl` (a proxy, a silent server); queued syncs still reach the simulator. */
  const inJobVia = (slackApiUrl: string, options: Pick<ThreadSyncDeps, 'syncNowTimeoutMs'>) => {
    const sync = createThreadSync({
      client: new WebClient(BOT_TOKEN, { slackApiUrl }),
      threads: h.threads,
      proposals: h.proposals,
      scheduler: h.scheduler,
      logger: h.logger,
      ...options,
    });
    return harnessNotifier(h, { syncNow: sync.syncNow });
  };

  it('posts the parent and the reply before notifyFiring returns, with no queue job', async () => {
    const event = alertEvent('ij01');
    await inJob.notifyFiring(event, diagnosisFor(event));
    const thread = channel('CALERTS')?.messages[0];
    expect(thread?.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual(['ij01']);
    expect(await queued()).toBe(0);
    // Where the reply is shown is recorded on its proposals, as the queued sync does.
    const snap = await h.threads.load(h.threads.threadId('CALERTS', event.groupKey));
    const proposals = await h.proposals.getMany(snap.pairs[0]?.proposalIds ?? []);
    expect(proposals.map((p) => p?.message)).toEqual([
      { channel: 'CALERTS', ts: thread?.replies[0]?.ts, threadTs: thread?.ts },
      { channel: 'CALERTS', ts: thread?.replies[0]?.ts, threadTs: thread?.ts },
    ]);
  });

  it('a diagnosis without actions offers its pair: added once, later alerts of the pair join its reply', async () => {
    const first = alertEvent('ij10', { groupKey: 'g-noactions' });
    const second = alertEvent('ij11', { groupKey: 'g-noactions' });
    await inJob.notifyFiring(first, diagnosisFor(first, { actions: [] }));
    await inJob.notifyFiring(second, diagnosisFor(second, { actions: [] }));
    const snap = await h.threads.load(h.threads.threadId('CALERTS', 'g-noactions'));
    expect(snap.pairs.map((p) => [p.key, p.diagnosis.alert.fingerprint])).toEqual([
      ['OOM_LIMIT|ads/Deployment/api', 'ij10'],
    ]);
    expect(snap.alertPairs).toEqual({ ij10: 'OOM_LIMIT|ads/Deployment/api', ij11: 'OOM_LIMIT|ads/Deployment/api' });
    const thread = await h.waitFor(() => {
      const m = channel('CALERTS')?.messages[0];
      return m && JSON.stringify(m.replies[0]?.blocks).includes('Affected: 2 alert(s)') ? m : undefined;
    });
    expect(thread.replies).toHaveLength(1);
    expect(posts()).toHaveLength(2);
  });

  it('hands the sync to the queue when Slack fails the in-job attempt', async () => {
    h.sim.setFaults({ serverErrors: { count: 1, status: 503, methods: ['chat.postMessage'] } });
    const event = alertEvent('ij02');
    await inJob.notifyFiring(event, diagnosisFor(event));
    expect(posts()).toHaveLength(0);
    expect(await queued()).toBe(1);
    const thread = await h.waitFor(() => channel('CALERTS')?.messages.find((m) => m.replies.length === 1));
    expect(thread.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual(['ij02']);
    expect(posts()).toHaveLength(2);
  });

  it('after a parent posted in the job and a failed reply, the queued sync posts only the reply', async () => {
    // The in-job client (derived from this sync's client: same token and URL) goes through a proxy that
    // fails the second chat.postMessage; the queued sync goes straight to the simulator.
    const proxy = await startFaultProxy(h.sim.url);
    try {
      let postsSeen = 0;
      proxy.setRule((r) => (r.path.endsWith('/chat.postMessage') && ++postsSeen === 2 ? { status: 503 } : null));
      const notifier = inJobVia(`${proxy.url}/api/`, {});

      const event = alertEvent('ij03');
      await notifier.notifyFiring(event, diagnosisFor(event));
      expect(posts()).toHaveLength(1);
      expect(proxy.log().map((e) => e.status)).toEqual([200, 503]);
      const thread = await h.waitFor(() => channel('CALERTS')?.messages.find((m) => m.replies.length === 1));
      expect(channel('CALERTS')?.messages).toHaveLength(1);
      expect(thread.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual(['ij03']);
      expect(posts()).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('gives up on a Slack that never answers after the call timeout and queues the sync instead', async () => {
    const silent = createServer(() => undefined); // accepts every request, answers none
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const notifier = inJobVia(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/api/`, {
        syncNowTimeoutMs: 300,
      });
      const event = alertEvent('ij06');
      const started = Date.now();
      await notifier.notifyFiring(event, diagnosisFor(event));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await queued()).toBe(1);
      const thread = await h.waitFor(() => channel('CALERTS')?.messages.find((m) => m.replies.length === 1));
      expect(thread.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual(['ij06']);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('does not wait out a rate limit in the job: the queued sync does, and posts each message once', async () => {
    h.sim.setFaults({ rateLimit: { count: 1, retryAfterSec: 1, methods: ['chat.postMessage'] } });
    // The 429 answered to the in-job client reaches the main client's listeners (medic_slack_rate_limited_total).
    const rateLimited: unknown[] = [];
    h.client.on(WebClientEvent.RATE_LIMITED, (retrySec: unknown) => rateLimited.push(retrySec));
    const event = alertEvent('ij04');
    const started = Date.now();
    await inJob.notifyFiring(event, diagnosisFor(event));
    expect(Date.now() - started).toBeLessThan(900);
    expect(rateLimited).toEqual([1]);
    expect(await queued()).toBe(1);
    const thread = await h.waitFor(() => channel('CALERTS')?.messages.find((m) => m.replies.length === 1));
    expect(thread.replies).toHaveLength(1);
    expect(posts()).toHaveLength(2);
  });

  it('queues the sync when another writer holds the thread, and posts once that writer is done', async () => {
    const event = alertEvent('ij05');
    const id = h.threads.threadId('CALERTS', event.groupKey);
    const other = (await h.threads.startSync(id, Date.now(), 10_000))?.lock;
    expect(other).toBeDefined();
    await inJob.notifyFiring(event, diagnosisFor(event));
    expect(posts()).toHaveLength(0);
    expect(await queued()).toBe(1);
    await other?.release();
    const thread = await h.waitFor(() => channel('CALERTS')?.messages.find((m) => m.replies.length === 1));
    expect(thread.replies.map((r) => r.metadata?.event_payload.fingerprint)).toEqual(['ij05']);
    expect(posts()).toHaveLength(2);
  });
});
