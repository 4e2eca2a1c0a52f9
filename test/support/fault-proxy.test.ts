import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

describe('fault-injecting proxy', () => {
  let upstream: Server;
  let proxy: FaultProxy;
  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('forwards requests with their body, and answers 429 with Retry-After on every other call', async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body })),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    proxy.setRule((r) => (r.index % 2 === 0 ? { status: 429, headers: { 'retry-after': '1' } } : null));

    const first = await fetch(`${proxy.url}/api/chat.postMessage`, { method: 'POST', body: 'text=hi' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ echo: 'text=hi' });
    const second = await fetch(`${proxy.url}/api/chat.postMessage`, { method: 'POST', body: 'text=hi' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(proxy.log().map((e) => [e.path, e.status, e.forwarded])).toEqual([
      ['/api/chat.postMessage', 200, true],
      ['/api/chat.postMessage', 429, false],
    ]);
  });
});
