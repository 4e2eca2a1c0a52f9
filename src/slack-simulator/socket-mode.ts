/**
 * Slack's side of Socket Mode: `apps.connections.open` (app-level token as bearer) hands out a one-time
 * WebSocket URL; a connection gets `hello`, then envelopes (`slash_commands`, `interactive`) that the app
 * acknowledges with `{ envelope_id, payload? }`. The ack payload plays the part of an HTTP response body.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { InteractionResult } from './interactions.js';

export type EnvelopeType = 'slash_commands' | 'interactive';

export interface SocketModeServer {
  /** Answers apps.connections.open for this bearer token, the way Slack does. */
  open(token: string): { ok: true; url: string } | { ok: false; error: string };
  /** Sends one envelope to a connected app and resolves with its ack (status 504 when none comes in time). */
  deliver(type: EnvelopeType, payload: Record<string, unknown>): Promise<InteractionResult>;
  /** Open connections that have received `hello`. */
  connectionCount(): number;
  close(): Promise<void>;
}

interface PendingAck {
  resolve(result: InteractionResult): void;
  timer: NodeJS.Timeout;
}

const SOCKET_PATH = '/socket-mode';
const APP_ID = 'A0MEDIC01';

export function createSocketModeServer(options: {
  server: Server;
  appToken: string;
  botToken: string;
  baseUrl: () => string;
  /** How long an envelope waits for its ack; Slack gives up after 3 s. */
  ackTimeoutMs: number;
}): SocketModeServer {
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const connections = new Set<WebSocket>();
  const pending = new Map<string, PendingAck>();
  let next = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !tickets.delete(ticket)) {
      // A used or unknown ticket: Slack refuses the handshake.
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  };
  options.server.on('upgrade', onUpgrade);

  function accept(ws: WebSocket) {
    connections.add(ws);
    ws.on('message', (data, isBinary) => onAck(data, isBinary));
    ws.on('close', () => connections.delete(ws));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.size,
        debug_info: { host: 'medic-simulator', build_number: 1, approximate_connection_time: 3600 },
        connection_info: { app_id: APP_ID },
      }),
    );
  }

  function onAck(data: RawData, isBinary: boolean) {
    if (isBinary) return;
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(data.toString()) as typeof message;
    } catch (error) {
      process.stderr.write(`slack simulator: a Socket Mode message is not JSON (${String(error)})\n`);
      return;
    }
    const id = typeof message.envelope_id === 'string' ? message.envelope_id : '';
    const waiting = pending.get(id);
    if (!waiting) return;
    pending.delete(id);
    clearTimeout(waiting.timer);
    const payload = message.payload;
    const hasBody = typeof payload === 'object' && payload !== null && Object.keys(payload).length > 0;
    waiting.resolve({ status: 200, body: hasBody ? JSON.stringify(payload) : '' });
  }

  return {
    open(token) {
      if (!token) return { ok: false, error: 'not_authed' };
      if (token === options.botToken) return { ok: false, error: 'not_allowed_token_type' };
      if (token !== options.appToken) return { ok: false, error: 'invalid_auth' };
      const ticket = randomBytes(12).toString('hex');
      tickets.add(ticket);
      const ws = options.baseUrl().replace(/^http/, 'ws');
      return { ok: true, url: `${ws}${SOCKET_PATH}?ticket=${ticket}&app_id=${APP_ID}` };
    },

    deliver(type, payload) {
      const open = [...connections].filter((ws) => ws.readyState === ws.OPEN);
      // Like Slack, one of the app's connections gets each envelope.
      const ws = open[next++ % Math.max(open.length, 1)];
      if (!ws) return Promise.reject(new Error('No app is connected to the Slack simulator over Socket Mode.'));
      const envelopeId = randomUUID();
      return new Promise<InteractionResult>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          resolve({ status: 504, body: 'operation_timeout' });
        }, options.ackTimeoutMs);
        pending.set(envelopeId, { resolve, timer });
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type === 'slash_commands',
          }),
        );
      });
    },

    connectionCount: () => [...connections].filter((ws) => ws.readyState === ws.OPEN).length,

    close() {
      options.server.off('upgrade', onUpgrade);
      for (const [id, waiting] of pending) {
        clearTimeout(waiting.timer);
        waiting.resolve({ status: 504, body: 'operation_timeout' });
        pending.delete(id);
      }
      for (const ws of connections) ws.terminate();
      return new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
