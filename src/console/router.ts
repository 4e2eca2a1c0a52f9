/**
 * The demo console at /console: a Slack-like view of the simulated workspace and a panel of the sandbox
 * cluster, updated live over server-sent events. Buttons and slash commands go through the Slack
 * simulator, which signs them and sends them to Medic's real POST /slack/events, as a chosen demo user.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorMessage, MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AuditEntry } from '../store/audit.js';
import { firstIssue } from '../zod-issue.js';
import { type ClusterSource, summarizeCluster } from './cluster-view.js';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

export interface ConsoleUser {
  id: string;
  name: string;
  isApprover?: boolean;
}

interface ConsoleFile {
  id: string;
  name: string;
  title: string;
  content?: string;
  bytes?: Uint8Array;
}
interface ConsoleMessage {
  ts: string;
  files: ConsoleFile[];
  replies?: ConsoleMessage[];
}

/** What the console needs of the Slack simulator. */
export interface ConsoleSlack {
  conversations(): { id: string; name: string; messages: ConsoleMessage[]; ephemerals: unknown[] }[];
  onChange(listener: () => void): () => void;
  clickButton(click: ClickRequest): Promise<{ status: number; body: string }>;
  runSlashCommand(command: CommandRequest): Promise<{ status: number; body: string }>;
}

/** What the console needs of the sandbox cluster. */
export interface ConsoleCluster extends ClusterSource {
  onChange(listener: () => void): () => void;
}

export interface ConsoleDeps {
  slack: ConsoleSlack;
  cluster: ConsoleCluster;
  /**
   * With several clusters (`medic demo --clusters N`): each one's name, source and kubectl line; the cluster panel
   * switches between them. `cluster` is then the first of them.
   */
  clusters?: { name: string; source: ConsoleCluster; kubectl: string }[];
  audit?: { recent(count: number): Promise<AuditEntry[]> };
  users: ConsoleUser[];
  /** The channel the console opens on. */
  channel: string;
  /** Display names of channel ids, e.g. { C0INCIDENTS: 'incidents' }. */
  channelNames?: Record<string, string>;
  /** Shown in the header, e.g. the `kubectl --server …` line. */
  hints?: Record<string, string>;
  logger: Logger;
  /** How often the audit log is polled for news while someone watches; default 1 s. */
  auditPollMs?: number;
}

export interface Console {
  router: Router;
  /** Ends the live streams so the HTTP server can close at once. */
  close(): void;
}

const clickSchema = z.strictObject({
  userId: z.string().min(1),
  channel: z.string().min(1),
  messageTs: z.string().regex(/^[0-9]+\.[0-9]+$/, 'must be a Slack message ts'),
  actionId: z.string().min(1).max(255),
  value: z.string().max(2000),
});
type ClickRequest = z.infer<typeof clickSchema>;

const commandSchema = z.strictObject({
  userId: z.string().min(1),
  channel: z.string().min(1),
  command: z.string().regex(/^\/[a-z][a-z0-9_-]*$/, 'must be a slash command like /scale'),
  text: z.string().max(4000),
});
type CommandRequest = z.infer<typeof commandSchema>;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { field, message } = firstIssue(result.error, { whole: 'body' });
  throw new MedicError('BAD_REQUEST', `${field} ${message}`, { field });
}

function stripFileContent(messages: ConsoleMessage[]): unknown[] {
  return messages.map(({ files, replies, ...rest }) => ({
    ...rest,
    files: files.map(({ id, name, title }) => ({ id, name, title })),
    ...(replies ? { replies: stripFileContent(replies) } : {}),
  }));
}

export function createConsole(deps: ConsoleDeps): Console {
  const router = express.Router();
  const streams = new Set<Response>();
  let lastAuditId = '';

  const snapshot = async () => {
    const audit = deps.audit ? await deps.audit.recent(50) : [];
    lastAuditId = audit[0]?.id ?? '';
    return {
      channel: deps.channel,
      channelNames: deps.channelNames ?? {},
      users: deps.users,
      hints: deps.hints ?? {},
      conversations: deps.slack.conversations().map((c) => ({ ...c, messages: stripFileContent(c.messages) })),
      cluster: summarizeCluster(deps.cluster),
      ...(deps.clusters
        ? {
            clusters: deps.clusters.map((c) => ({
              name: c.name,
              view: summarizeCluster(c.source),
              kubectl: c.kubectl,
            })),
          }
        : {}),
      audit,
    };
  };

  let pending: NodeJS.Timeout | null = null;
  const push = () => {
    if (pending || streams.size === 0) return;
    // Coalesce bursts (a rollout touches many objects) into one update.
    pending = setTimeout(async () => {
      pending = null;
      try {
        const data = `event: state\ndata: ${JSON.stringify(await snapshot())}\n\n`;
        for (const res of streams) res.write(data);
      } catch (error) {
        deps.logger.warn({ err: error }, 'console update failed');
      }
    }, 30);
  };
  const sources = deps.clusters ? deps.clusters.map((c) => c.source) : [deps.cluster];
  const unsubscribe = [deps.slack.onChange(push), ...sources.map((source) => source.onChange(push))];
  const auditTimer = setInterval(async () => {
    if (streams.size === 0 || !deps.audit) return;
    try {
      const [head] = await deps.audit.recent(1);
      if ((head?.id ?? '') !== lastAuditId) push();
    } catch (error) {
      deps.logger.warn({ err: error }, 'console could not read the audit log');
    }
  }, deps.auditPollMs ?? 1000);
  auditTimer.unref();

  const findFile = (id: string): ConsoleFile | undefined => {
    for (const channel of deps.slack.conversations()) {
      for (const message of channel.messages) {
        for (const m of [message, ...(message.replies ?? [])]) {
          const file = m.files.find((f) => f.id === id);
          if (file) return file;
        }
      }
    }
    return undefined;
  };

  router.get('/', (req, res, next) => {
    // /console without the slash would resolve the page's relative URLs against /.
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) return res.redirect(301, `${req.baseUrl}/`);
    next();
  });
  router.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));

  router.get('/api/state', async (_req, res) => {
    res.json(await snapshot());
  });

  router.get('/api/events', async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(await snapshot())}\n\n`);
    streams.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      streams.delete(res);
    });
  });

  router.get('/api/files/:id', (req, res) => {
    const file = findFile(req.params.id ?? '');
    if (!file) throw new MedicError('NOT_FOUND', `No file ${req.params.id} in the workspace.`, { field: 'id' });
    // Binary uploads need the simulator's raw bytes; `content` holds text files as text.
    const bytes = file.bytes ? Buffer.from(file.bytes) : Buffer.from(file.content ?? '', 'utf8');
    res.type(file.name.endsWith('.png') ? 'image/png' : 'application/octet-stream').send(bytes);
  });

  const knownUser = (userId: string) => {
    if (!deps.users.some((u) => u.id === userId)) {
      throw new MedicError('BAD_REQUEST', `userId ${userId} is not one of the demo users.`, { field: 'userId' });
    }
  };

  router.post('/api/click', express.json({ limit: '64kb' }), async (req, res) => {
    const click = parse(clickSchema, req.body);
    knownUser(click.userId);
    const result = await deps.slack.clickButton(click).catch((error: unknown) => {
      throw new MedicError('BAD_REQUEST', errorMessage(error), { field: 'messageTs' });
    });
    res.json(result);
  });

  router.post('/api/command', express.json({ limit: '64kb' }), async (req, res) => {
    const command = parse(commandSchema, req.body);
    knownUser(command.userId);
    const result = await deps.slack.runSlashCommand(command).catch((error: unknown) => {
      throw new MedicError('BAD_REQUEST', errorMessage(error), { field: 'channel' });
    });
    res.json(result);
  });

  // The console answers its own errors as JSON, wherever it is mounted.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof MedicError) {
      return res.status(error.httpStatus).json({ error: error.message, code: error.code, field: error.field });
    }
    if (error instanceof SyntaxError)
      return res.status(400).json({ error: 'body is not valid JSON', code: 'BAD_REQUEST' });
    deps.logger.error({ err: error }, 'console request failed');
    res.status(500).json({ error: 'internal error', code: 'INTERNAL' });
  });

  return {
    router,
    close() {
      for (const stop of unsubscribe) stop();
      clearInterval(auditTimer);
      if (pending) clearTimeout(pending);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
