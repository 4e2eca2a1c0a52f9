import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackSimulator, startSlackSimulator } from '../../src/slack-simulator/index.js';

const TOKEN = 'xoxb-sim-token';
let sim: SlackSimulator;
let client: WebClient;

beforeEach(async () => {
  sim = await startSlackSimulator({
    botToken: TOKEN,
    signingSecret: 'secret',
    users: [{ id: 'U1', name: 'alice' }],
    usergroups: { S1: ['U1', 'U2'] },
  });
  client = new WebClient(TOKEN, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 5, minTimeout: 5, maxTimeout: 20 },
  });
});
afterEach(async () => {
  await sim.close();
});

describe('Slack simulator', () => {
  it('keeps threads: a reply to a reply lands in the parent thread and edits apply', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'parent' });
    const reply = await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: parent.ts as string });
    await client.chat.postMessage({ channel: 'C1', text: 'reply 2', thread_ts: reply.ts as string });
    await client.chat.update({ channel: 'C1', ts: parent.ts as string, text: 'parent edited' });
    const [channel] = sim.conversations();
    expect(channel?.messages).toHaveLength(1);
    expect(channel?.messages[0]?.text).toBe('parent edited');
    expect(channel?.messages[0]?.edited).toBeDefined();
    expect(channel?.messages[0]?.replies.map((r) => r.text)).toEqual(['reply', 'reply 2']);
  });

  it('rejects blocks over Slack limits with invalid_blocks and a json pointer', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    await expect(client.chat.postMessage({ channel: 'C1', text: 't', blocks })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: [expect.stringContaining('/blocks/0/text/text')] },
    });
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    await expect(client.chat.postMessage({ channel: 'C1', text: 't', blocks: tooMany })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    expect(sim.conversations().flatMap((c) => c.messages)).toHaveLength(0);
  });

  it('rejects a wrong token and unknown methods, and records every call', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: sim.apiUrl });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client.apiCall('chat.scheduleMessage', { channel: 'C1', text: 'x' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    expect(sim.calls().map((c) => [c.method, c.error])).toEqual([
      ['auth.test', 'invalid_auth'],
      ['chat.scheduleMessage', 'unknown_method'],
    ]);
  });

  it('answers 429 with Retry-After and 5xx; the WebClient retries and the message is posted once', async () => {
    sim.setFaults({ rateLimit: { count: 2, retryAfterSec: 0 }, serverErrors: { count: 2, status: 502 } });
    await client.chat.postMessage({ channel: 'C1', text: 'after faults' });
    expect(sim.calls().map((c) => c.status)).toEqual([429, 429, 502, 502, 200]);
    expect(sim.conversations()[0]?.messages.map((m) => m.text)).toEqual(['after faults']);
  });

  it('lists user-group members and uploads a file in three steps', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1', 'U2']);
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'p' });
    await client.filesUploadV2({
      channel_id: 'C1',
      thread_ts: parent.ts as string,
      content: 'hello file',
      filename: 'x.txt',
    });
    const replies = sim.conversations()[0]?.messages[0]?.replies ?? [];
    expect(replies[0]?.files[0]).toMatchObject({ name: 'x.txt', content: 'hello file' });
  });

  it('keeps binary uploads byte for byte (a PNG chart is not valid UTF-8)', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0xc3]);
    await client.filesUploadV2({ channel_id: 'C1', file: png, filename: 'chart.png' });
    const file = sim
      .conversations()[0]
      ?.messages.flatMap((m) => m.files)
      .find((f) => f.name === 'chart.png');
    expect(Buffer.from(file?.bytes ?? []).equals(png)).toBe(true);
  });
});
