/**
 * An HTTP proxy that injects faults on the way to a real server (the Slack simulator, the sandbox): a rule
 * sees each request in order and may answer it with a status (429 with Retry-After, 503, …) instead of
 * forwarding it. Patterns the simulator's count-based faults cannot express — "every other call", "a
 * 60 s outage", "a burst of 503s after the Nth post" — are one function here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyFault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ProxiedRequest {
  /** 1-based index over every request the proxy saw. */
  index: number;
  method: string;
  /** Path without the query, e.g. /api/chat.postMessage. */
  path: string;
  at: number;
}

export type FaultRule = (request: ProxiedRequest) => ProxyFault | null;

/** Sees every forwarded exchange as it completes (e.g. to time the Slack post of each diagnosis). */
export type ExchangeListener = (request: ProxiedRequest, body: Buffer, status: number, response: Buffer) => void;

export interface FaultProxy {
  url: string;
  setRule(rule: FaultRule | null): void;
  onExchange(listener: ExchangeListener): void;
  /** Every request with what the proxy did with it (`status` answered, `forwarded` or not). */
  log(): (ProxiedRequest & { status: number; forwarded: boolean })[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let rule: FaultRule | null = null;
  let count = 0;
  const listeners: ExchangeListener[] = [];
  const entries: (ProxiedRequest & { status: number; forwarded: boolean })[] = [];
  const server = createServer((req, res) => {
    count += 1;
    const request: ProxiedRequest = {
      index: count,
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://proxy').pathname,
      at: Date.now(),
    };
    const fault = rule?.(request) ?? null;
    const forward = async () => {
      const body = await readBody(req);
      if (fault) {
        entries.push({ ...request, status: fault.status, forwarded: false });
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          fault.body ?? JSON.stringify({ ok: false, error: fault.status === 429 ? 'ratelimited' : 'fatal_error' }),
        );
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (e): e is [string, string] =>
            typeof e[1] === 'string' && !['host', 'content-length', 'connection'].includes(e[0]),
        ),
      );
      const upstream = await fetch(new URL(req.url ?? '/', target), {
        method: request.method,
        headers,
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
      });
      const payload = Buffer.from(await upstream.arrayBuffer());
      entries.push({ ...request, status: upstream.status, forwarded: true });
      for (const listener of listeners) listener(request, body, upstream.status, payload);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(payload);
    };
    forward().catch((error: unknown) => {
      entries.push({ ...request, status: 502, forwarded: false });
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setRule: (next) => {
      rule = next;
    },
    onExchange: (listener) => {
      listeners.push(listener);
    },
    log: () => entries.map((e) => ({ ...e })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
