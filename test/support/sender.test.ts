import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlert, makePayload } from './alerts.js';
import { freePort } from './ports.js';
import { createAlertmanagerSender } from './sender.js';

/** A receiver answering from a script of statuses, then 202; records the bodies it accepted. */
function scriptedReceiver(port: number, script: number[]): Promise<{ server: Server; accepted: string[] }> {
  const accepted: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const status = script.shift() ?? 202;
      if (status === 202) accepted.push(body);
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, accepted })));
}

describe('Alertmanager-like sender', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('retries 5xx answers until a 202 and records the accepted alerts', async () => {
    const port = await freePort();
    const receiver = await scriptedReceiver(port, [503, 500]);
    server = receiver.server;
    const sender = createAlertmanagerSender({ url: `http://127.0.0.1:${port}/alertmanager`, initialBackoffMs: 1 });
    const result = await sender.send(makePayload('a', [makeAlert('00000000000000aa', { pod: 'p' })]));
    expect(result).toMatchObject({ status: 202, attempts: 3, retried: ['503', '500'] });
    expect([...sender.acceptedFingerprints()]).toEqual(['00000000000000aa']);
    expect(receiver.accepted).toHaveLength(1);
  });

  it('does not retry a 4xx and does not count its alerts as accepted', async () => {
    const port = await freePort();
    server = (await scriptedReceiver(port, [400])).server;
    const sender = createAlertmanagerSender({ url: `http://127.0.0.1:${port}/alertmanager`, initialBackoffMs: 1 });
    const result = await sender.send(makePayload('a', [makeAlert('00000000000000bb', { pod: 'p' })]));
    expect(result).toMatchObject({ status: 400, attempts: 1 });
    expect(sender.acceptedFingerprints().size).toBe(0);
    expect(sender.stats()).toMatchObject({ rejected: 1, accepted: 0 });
  });

  it('retries connection errors until the receiver comes up', async () => {
    const port = await freePort();
    const sender = createAlertmanagerSender({
      url: `http://127.0.0.1:${port}/alertmanager`,
      initialBackoffMs: 20,
      maxBackoffMs: 40,
    });
    const sending = sender.send(makePayload('a', [makeAlert('00000000000000cc', { pod: 'p' })]));
    await new Promise((resolve) => setTimeout(resolve, 150));
    server = (await scriptedReceiver(port, [])).server;
    const result = await sending;
    expect(result.status).toBe(202);
    expect(sender.stats().retriesOnConnectionError).toBeGreaterThan(0);
  });

  it('gives up after its deadline and reports the last status', async () => {
    const port = await freePort();
    server = (await scriptedReceiver(port, Array(100).fill(503))).server;
    const sender = createAlertmanagerSender({
      url: `http://127.0.0.1:${port}/alertmanager`,
      initialBackoffMs: 5,
      giveUpAfterMs: 50,
    });
    const result = await sender.send(makePayload('a', [makeAlert('00000000000000dd', { pod: 'p' })]));
    expect(result.status).toBe(503);
    expect(sender.stats().gaveUp).toBe(1);
    expect(sender.acceptedFingerprints().size).toBe(0);
  });
});
