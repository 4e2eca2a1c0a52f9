import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleFixture, startConsoleFixture } from './fixture.js';

let fx: ConsoleFixture;
beforeAll(async () => {
  fx = await startConsoleFixture();
});
afterAll(async () => {
  await fx.close();
});

const api = (path: string) => new URL(`api/${path}`, fx.url).toString();
const post = (path: string, body: unknown) =>
  fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Reads server-sent `state` events until one satisfies `predicate`. */
async function waitForState(predicate: (state: any) => boolean, timeoutMs = 5000): Promise<any> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(api('events'), { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (frame.includes('event: state') && data) {
          const state = JSON.parse(data.slice(6));
          if (predicate(state)) return state;
        }
        end = buffer.indexOf('\n\n');
      }
    }
    throw new Error('event stream ended');
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function limitOf(state: any, namespace: string, name: string, container: string): string | null {
  const w = state.cluster.workloads.find((x: any) => x.namespace === namespace && x.name === name);
  return w?.containers.find((c: any) => c.name === container)?.memoryLimit ?? null;
}

describe('the console', () => {
  it('serves the page at /console/ and redirects /console there', async () => {
    const page = await fetch(fx.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const bare = await fetch(fx.url.replace(/\/$/, ''), { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    const script = await fetch(new URL('blocks.js', fx.url));
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  it('shows the channel thread, the users and the cluster’s memory limits, replicas and HPA bounds', async () => {
    const state: any = await (await fetch(api('state'))).json();
    const [channel] = state.conversations;
    expect(channel.id).toBe('C0INCIDENTS');
    expect(channel.messages).toHaveLength(1);
    expect(channel.messages[0].replies[0].metadata.event_payload.root_cause).toBe('OOM_LIMIT');
    expect(state.users.map((u: any) => u.id)).toEqual(['U0ALICE', 'U0CAROL', 'U0BOB']);
    expect(limitOf(state, 'ads', 'ad-server', 'ad-server')).toBe('256Mi');
    expect(limitOf(state, 'prod', 'proxy', 'consul-client')).toBe('200Mi');
    const gateway = state.cluster.workloads.find((w: any) => w.name === 'proxy-gateway');
    expect(gateway).toMatchObject({ replicas: 1, hpa: { min: 6, max: 30 }, gracePeriodSeconds: 30 });
    expect(gateway.containers[0].preStop).toBeNull();
    const zones = new Set(state.cluster.nodes.map((n: any) => n.zone));
    expect(zones).toEqual(new Set(['cn-bj2-02', 'cn-bj2-03', 'cn-bj2-05']));
    const search = state.cluster.workloads.find((w: any) => w.name === 'search-index');
    expect(search.problems).toEqual(['search-index-1: ContainerCreating', 'search-index-3: ContainerCreating']);
  });

  it('sends a button click as a signed block_actions payload from the chosen user', async () => {
    const before = fx.received.length;
    const res = await post('click', {
      userId: 'U0BOB',
      channel: 'C0INCIDENTS',
      messageTs: fx.diagnosisTs,
      actionId: 'medic.approve.set-memory-limit.0',
      value: fx.proposalId,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).status).toBe(200);
    const got = fx.received[before];
    expect(got?.verified).toBe(true);
    expect(got?.payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB' },
      actions: [{ action_id: 'medic.approve.set-memory-limit.0', value: fx.proposalId }],
    });
    // The answer through response_url is an ephemeral only Bob sees.
    const state = await waitForState((s) => s.conversations[0].ephemerals.length > 0);
    expect(state.conversations[0].ephemerals[0]).toMatchObject({ user: 'U0BOB', text: 'Received from U0BOB.' });
  });

  it('sends a slash command as the chosen user', async () => {
    const before = fx.received.length;
    const res = await post('command', {
      userId: 'U0ALICE',
      channel: 'C0INCIDENTS',
      command: '/scale',
      text: 'proxy 10 -n prod',
    });
    expect(res.status).toBe(200);
    expect(fx.received[before]).toMatchObject({
      verified: true,
      form: { command: '/scale', text: 'proxy 10 -n prod', user_id: 'U0ALICE', channel_id: 'C0INCIDENTS' },
    });
  });

  it('refuses bad clicks and commands with a clear error and sends nothing', async () => {
    const before = fx.received.length;
    const cases: [string, unknown, RegExp][] = [
      [
        'click',
        { userId: 'U0EVE', channel: 'C0INCIDENTS', messageTs: fx.diagnosisTs, actionId: 'a', value: 'v' },
        /U0EVE is not one of the demo users/,
      ],
      [
        'click',
        { userId: 'U0BOB', channel: 'C0INCIDENTS', messageTs: 'yesterday', actionId: 'a', value: 'v' },
        /messageTs must be a Slack message ts/,
      ],
      [
        'click',
        { userId: 'U0BOB', channel: 'C0INCIDENTS', messageTs: fx.diagnosisTs, actionId: 'nope', value: 'v' },
        /has no button nope/,
      ],
      [
        'click',
        { userId: 'U0BOB', channel: 'C0INCIDENTS', messageTs: fx.diagnosisTs, actionId: 'a', value: 'v', extra: 1 },
        /Unrecognized key/,
      ],
      [
        'command',
        { userId: 'U0BOB', channel: 'C0INCIDENTS', command: 'scale', text: '' },
        /command must be a slash command/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as any).error).toMatch(message);
    }
    const notJson = await fetch(api('click'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
    expect(fx.received.length).toBe(before);
  });

  it('pushes the cluster change live when a memory limit is patched', async () => {
    const deployment = fx.sandbox.store.get('apps/v1', 'Deployment', 'ads', 'ad-server') as any;
    const next = structuredClone(deployment);
    next.spec.template.spec.containers[0].resources.limits.memory = '512Mi';
    const seen = waitForState((s) => limitOf(s, 'ads', 'ad-server', 'ad-server') === '512Mi');
    fx.sandbox.store.replace(next);
    const state = await seen;
    expect(limitOf(state, 'ads', 'ad-server', 'ad-server')).toBe('512Mi');
  });

  it('answers 404 for a file that is not in the workspace', async () => {
    const res = await fetch(api('files/F0NOPE'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error).toMatch(/No file F0NOPE/);
  });
});
