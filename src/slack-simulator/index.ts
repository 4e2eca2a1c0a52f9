/**
 * A Slack-compatible Web API server: the real @slack/web-api WebClient points at it through SLACK_API_URL.
 * It checks the bearer token, validates Block Kit like Slack, records every call, injects 429/5xx faults,
 * serves response_url and file uploads, and sends signed interactions to Medic's POST /slack/events — or,
 * with `appToken`, delivers them over Socket Mode (apps.connections.open + a WebSocket), as Slack does for
 * an app with Socket Mode on. Tests use it now; the demo console builds on it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs, readBody, type SimFaults, takeFault } from './http.js';
import { type InteractionResult, Interactions } from './interactions.js';
import { createSocketModeServer } from './socket-mode.js';
import { type ChannelView, type SimUser, Workspace } from './state.js';
import { METHODS } from './web-api.js';

export type { SimFaults } from './http.js';
export type { InteractionResult } from './interactions.js';
export type { ChannelView, MessageView, SimUser } from './state.js';

export interface SlackSimulatorOptions {
  port?: number;
  botToken: string;
  signingSecret: string;
  /** Medic's POST /slack/events, where clicks and slash commands are sent. Settable later. */
  eventsUrl?: string;
  users?: SimUser[];
  /** User-group id (S…) → member user ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Clock for request signatures (ms); tests share one with Medic. Default Date.now. */
  now?: () => number;
  /**
   * The app-level token (xapp-…) of an app with Socket Mode on: apps.connections.open accepts it, and clicks
   * and slash commands go over the app's WebSocket instead of to eventsUrl. Unset: HTTP delivery.
   */
  appToken?: string;
  /** Socket Mode: how long an envelope waits for the app's ack before it counts as timed out. Default 3 s. */
  ackTimeoutMs?: number;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** HTTP status answered (429/5xx for injected faults). */
  status: number;
  ok: boolean;
  error?: string;
}

export interface SlackSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Web API base for SLACK_API_URL / WebClient slackApiUrl; ends with /api/. */
  apiUrl: string;
  botUserId: string;
  setEventsUrl(url: string): void;
  close(): Promise<void>;
  conversations(): ChannelView[];
  onChange(listener: () => void): () => void;
  clickButton(click: {
    userId: string;
    channel: string;
    messageTs: string;
    actionId: string;
    value: string;
  }): Promise<InteractionResult>;
  runSlashCommand(cmd: { userId: string; channel: string; command: string; text: string }): Promise<InteractionResult>;
  calls(): RecordedCall[];
  setFaults(faults: SimFaults): void;
  /** Socket Mode: connections that got `hello` and are open (0 in HTTP mode). */
  socketConnections(): number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startSlackSimulator(options: SlackSimulatorOptions): Promise<SlackSimulator> {
  const botUserId = 'U0MEDICBOT';
  const ws = new Workspace(options.users ?? [], options.usergroups ?? {}, botUserId);
  const recorded: RecordedCall[] = [];
  const listeners = new Set<() => void>();
  let faults: SimFaults = {};
  let eventsUrl = options.eventsUrl;
  let baseUrl = '';
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      sendJson(res, 500, { ok: false, error: 'simulator_error', detail: String(error) });
    });
  });
  const socketMode = options.appToken
    ? createSocketModeServer({
        server,
        appToken: options.appToken,
        botToken: options.botToken,
        baseUrl: () => baseUrl,
        ackTimeoutMs: options.ackTimeoutMs ?? 3000,
      })
    : undefined;
  const interactions = new Interactions(
    ws,
    {
      signingSecret: options.signingSecret,
      eventsUrl: () => eventsUrl,
      baseUrl: () => baseUrl,
      now: options.now ?? Date.now,
      ...(socketMode ? { deliver: socketMode.deliver } : {}),
    },
    changed,
  );

  /** apps.connections.open takes the app-level token; without Socket Mode no token opens a connection. */
  const handleConnectionsOpen = (res: ServerResponse, token: string, record: (ok: boolean, error?: string) => void) => {
    const result = socketMode
      ? socketMode.open(token)
      : { ok: false as const, error: token ? 'invalid_auth' : 'not_authed' };
    record(result.ok, result.ok ? undefined : result.error);
    sendJson(res, 200, result);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string) => {
    const args = await parseArgs(await readBody(req), req.headers['content-type'] ?? '');
    const record = (status: number, ok: boolean, error?: string) =>
      recorded.push({ method, args, at: Date.now(), status, ok, ...(error ? { error } : {}) });
    const fault = takeFault(faults, method, Date.now());
    if (fault) {
      record(fault.status, false, fault.error);
      return sendJson(res, fault.status, { ok: false, error: fault.error }, fault.headers);
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : '';
    if (method === 'apps.connections.open') {
      return handleConnectionsOpen(res, token, (ok, error) => record(200, ok, error));
    }
    if (!token) {
      record(200, false, 'not_authed');
      return sendJson(res, 200, { ok: false, error: 'not_authed' });
    }
    if (token !== options.botToken) {
      const error = token === options.appToken ? 'not_allowed_token_type' : 'invalid_auth';
      record(200, false, error);
      return sendJson(res, 200, { ok: false, error });
    }
    const handler = METHODS[method];
    if (!handler) {
      // Loud on purpose: a method Medic calls that the simulator lacks must show up in tests.
      process.stderr.write(`slack simulator: unknown method ${method}\n`);
      record(200, false, 'unknown_method');
      return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    }
    const result = handler(args, { ws, baseUrl, changed });
    record(200, result.ok, typeof result.error === 'string' ? result.error : undefined);
    sendJson(res, 200, result);
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    const pending = ws.pendingFiles.get(id);
    if (!pending || req.headers.authorization !== `Bearer ${options.botToken}`) {
      res.writeHead(pending ? 401 : 404).end();
      return;
    }
    const args = await parseArgs(await readBody(req), req.headers['content-type'] ?? '');
    const data = Object.values(args).find((v) => Buffer.isBuffer(v)) ?? args.body;
    // Keep the bytes exactly: a PNG chart does not survive a round trip through a UTF-8 string.
    pending.bytes = Buffer.isBuffer(data) ? data : Buffer.from(String(data ?? ''), 'utf8');
    pending.content = pending.bytes.toString('utf8');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${pending.bytes.length}`);
  };

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://sim').pathname;
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
    if (path.startsWith('/api/')) return handleApi(req, res, path.slice(5));
    if (path.startsWith('/upload/')) return handleUpload(req, res, path.slice(8));
    if (path.startsWith('/response/')) {
      const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as unknown;
      const answer = interactions.respond(path.slice(10), body);
      return sendJson(res, answer.status, answer.json);
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    botUserId,
    setEventsUrl: (url) => {
      eventsUrl = url;
    },
    close: async () => {
      await socketMode?.close();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
    conversations: () => ws.view(),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clickButton: (click) => interactions.clickButton(click),
    runSlashCommand: (cmd) => interactions.runSlashCommand(cmd),
    calls: () => recorded.map((c) => ({ ...c })),
    setFaults: (next) => {
      faults = structuredClone(next);
    },
    socketConnections: () => socketMode?.connectionCount() ?? 0,
  };
}
