/**
 * The node:http fetch the in-job Slack client uses: the same calls reach the simulator as with the global
 * fetch, Slack's 429/5xx answers surface as the WebClient's usual errors, connections are kept alive, and a
 * timeout (also one mid-body), a redirect, a dropped connection or a refused one fail the call.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../src/slack/http-fetch.js';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';
import { BOT_TOKEN, SIGNING_SECRET, USERS } from '../support/slack.js';

let sim: SlackSimulator;
beforeAll(async () => {
  sim = await startSlackSimulator({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, users: USERS });
});
afterAll(async () => {
  await sim.close();
});

const client = (options: { retries?: number; timeout?: number; url?: string } = {}) =>
  new WebClient(BOT_TOKEN, {
    slackApiUrl: options.url ?? sim.apiUrl,
    retryConfig: { retries: options.retries ?? 0 },
    rejectRateLimitedCalls: true,
    fetch: createHttpFetch(),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    logLevel: 'error' as never,
  });

describe('http fetch for the Slack WebClient', () => {
  it('posts what the global fetch posts, and reads the answer', async () => {
    const message = {
      channel: 'CFETCH',
      text: 'Résumé ✓ 10 firing',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*OOM* — ü' } }],
      metadata: { event_type: 'medic_diagnosis', event_payload: { fingerprint: 'f1' } },
      unfurl_links: false,
    };
    const viaHttp = await client().chat.postMessage(message);
    const viaFetch = await new WebClient(BOT_TOKEN, { slackApiUrl: sim.apiUrl }).chat.postMessage(message);
    expect(viaHttp.ok).toBe(true);
    expect(Object.keys(viaHttp).sort()).toEqual(Object.keys(viaFetch).sort());
    expect(viaHttp.ts).toMatch(/^\d+\.\d+$/);
    const [a, b] = sim.calls().filter((c) => c.method === 'chat.postMessage');
    expect(a?.args).toEqual(b?.args);
    const thread = await client().chat.postMessage({
      channel: 'CFETCH',
      text: 'reply',
      thread_ts: viaHttp.ts as string,
    });
    expect(thread.ok).toBe(true);
    expect(sim.conversations().find((c) => c.id === 'CFETCH')?.messages[0]?.replies).toHaveLength(1);
  });

  it('turns 5xx, 429 and platform errors into the WebClient errors', async () => {
    sim.setFaults({ serverErrors: { count: 1, status: 503 } });
    await expect(client().chat.postMessage({ channel: 'CFETCH', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
    sim.setFaults({ rateLimit: { count: 1, retryAfterSec: 7 } });
    await expect(client().chat.postMessage({ channel: 'CFETCH', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    sim.setFaults({});
    await expect(client().chat.update({ channel: 'CFETCH', ts: '1.2', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'message_not_found' },
    });
  });

  it('keeps connections alive, and fails on a timeout, a redirect, a body cut short and a refused connection', async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/slow.method')) return; // never answers
      if (req.url?.endsWith('/stalled.method') || req.url?.endsWith('/reset.method')) {
        // Headers and half a body, then nothing more (the client's timeout ends it), or a dropped connection.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok":');
        if (req.url.endsWith('/reset.method')) setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (req.url?.endsWith('/moved.method')) {
        res.writeHead(302, { location: 'http://example.invalid/' }).end();
        return;
      }
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    server.on('connection', () => {
      connections += 1;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    try {
      const web = client({ url, timeout: 300 });
      for (let i = 0; i < 5; i += 1) expect((await web.apiCall('echo.method', { i })).ok).toBe(true);
      expect(connections).toBe(1);
      const started = Date.now();
      await expect(web.apiCall('slow.method')).rejects.toMatchObject({ code: ErrorCode.RequestError });
      expect(Date.now() - started).toBeLessThan(3000);
      await expect(web.apiCall('moved.method')).rejects.toMatchObject({ code: ErrorCode.RequestError });
      await expect(web.apiCall('stalled.method')).rejects.toMatchObject({ code: ErrorCode.RequestError });
      await expect(web.apiCall('reset.method')).rejects.toMatchObject({ code: ErrorCode.RequestError });
    } finally {
      server.closeAllConnections();
      server.close();
    }
    await expect(client({ url }).apiCall('echo.method')).rejects.toMatchObject({ code: ErrorCode.RequestError });
  });
});
