/** The Web API methods Medic's WebClient calls, answering the way Slack does (HTTP 200, `ok:false` + `error`). */
import { LIMITS, validateBlocks } from './blocks.js';
import type { SimMessage, Workspace } from './state.js';

export type Args = Record<string, unknown>;
export type Result = Record<string, unknown> & { ok: boolean };
export interface MethodContext {
  ws: Workspace;
  /** The simulator's base URL (no trailing slash), for upload URLs and permalinks. */
  baseUrl: string;
  changed(): void;
}
type Method = (args: Args, ctx: MethodContext) => Result;

const fail = (error: string, extra: Record<string, unknown> = {}): Result => ({ ok: false, error, ...extra });
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Checks text/blocks/metadata the way chat.postMessage and chat.update do. */
function checkContent(args: Args): Result | { text: string; blocks: unknown[]; metadata?: SimMessage['metadata'] } {
  const text = typeof args.text === 'string' ? args.text : '';
  const blocks = args.blocks ?? [];
  if (text.length > LIMITS.messageText) return fail('msg_too_long');
  const problems = validateBlocks(blocks);
  if (problems.length > 0) {
    return fail('invalid_blocks', { errors: problems, response_metadata: { messages: problems } });
  }
  if (text === '' && (blocks as unknown[]).length === 0) return fail('no_text');
  let metadata: SimMessage['metadata'];
  if (args.metadata !== undefined) {
    const m = args.metadata as { event_type?: unknown; event_payload?: unknown };
    if (typeof m?.event_type !== 'string' || typeof m.event_payload !== 'object' || m.event_payload === null) {
      return fail('invalid_metadata_format');
    }
    metadata = { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
  }
  return { text, blocks: blocks as unknown[], ...(metadata ? { metadata } : {}) };
}

const postMessage: Method = (args, { ws, changed }) => {
  const channel = ws.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const content = checkContent(args);
  if ('ok' in content) return content;
  const threadArg = str(args.thread_ts);
  let threadTs: string | undefined;
  if (threadArg !== undefined) {
    threadTs = ws.threadRoot(channel, threadArg);
    if (threadTs === undefined) return fail('thread_not_found');
  }
  const ts = ws.nextTs();
  const message: SimMessage = { ts, user: ws.botUserId, ...content, files: [], ...(threadTs ? { threadTs } : {}) };
  channel.messages.set(ts, message);
  changed();
  return { ok: true, channel: channel.id, ts, message: { ...message, thread_ts: threadTs } };
};

const update: Method = (args, { ws, changed }) => {
  const channel = ws.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const message = channel.messages.get(str(args.ts) ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== ws.botUserId) return fail('cant_update_message');
  const content = checkContent({ text: message.text, ...args });
  if ('ok' in content) return content;
  message.text = content.text;
  message.blocks = content.blocks;
  if (content.metadata) message.metadata = content.metadata;
  message.edited = { ts: ws.nextTs() };
  changed();
  return { ok: true, channel: channel.id, ts: message.ts, text: message.text };
};

const postEphemeral: Method = (args, { ws, changed }) => {
  const channel = ws.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const user = str(args.user);
  if (!user || !ws.user(user)) return fail('user_not_in_channel');
  const content = checkContent(args);
  if ('ok' in content) return content;
  const ts = ws.nextTs();
  const threadTs = str(args.thread_ts);
  channel.ephemerals.push({ user, ts, text: content.text, blocks: content.blocks, ...(threadTs ? { threadTs } : {}) });
  changed();
  return { ok: true, message_ts: ts };
};

const getPermalink: Method = (args, { ws, baseUrl }) => {
  const channel = ws.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const ts = str(args.message_ts) ?? '';
  if (!channel.messages.has(ts)) return fail('message_not_found');
  return { ok: true, channel: channel.id, permalink: `${baseUrl}/archives/${channel.id}/p${ts.replace('.', '')}` };
};

const authTest: Method = (_args, { ws, baseUrl }) => ({
  ok: true,
  url: `${baseUrl}/`,
  team: 'Medic Simulator',
  user: 'medic',
  team_id: 'T0SIM0001',
  user_id: ws.botUserId,
  bot_id: 'B0MEDIC01',
  is_enterprise_install: false,
});

const conversationsInfo: Method = (args, { ws }) => {
  const channel = ws.channel(str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  return { ok: true, channel: { id: channel.id, name: channel.name, is_channel: true, is_member: true } };
};

const usersInfo: Method = (args, { ws }) => {
  const user = ws.user(str(args.user) ?? '');
  if (!user) return fail('user_not_found');
  return { ok: true, user: { id: user.id, name: user.name, real_name: user.name, is_bot: false } };
};

const usergroupUsers: Method = (args, { ws }) => {
  const members = ws.usergroups[str(args.usergroup) ?? ''];
  if (!members) return fail('no_such_subteam');
  return { ok: true, users: [...members] };
};

const viewsOpen: Method = (args, { ws, changed }) => {
  const triggerId = str(args.trigger_id);
  if (!triggerId) return fail('invalid_trigger_id');
  const view = args.view as { blocks?: unknown } | undefined;
  if (!view || typeof view !== 'object') return fail('invalid_arguments');
  const id = ws.nextId('V');
  ws.views.push({ id, triggerId, view });
  changed();
  return { ok: true, view: { ...view, id } };
};

const getUploadUrl: Method = (args, { ws, baseUrl }) => {
  const name = str(args.filename);
  const length = Number(args.length);
  if (!name || !Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
  const id = ws.nextId('F');
  ws.pendingFiles.set(id, { name, length });
  return { ok: true, file_id: id, upload_url: `${baseUrl}/upload/${id}` };
};

const completeUpload: Method = (args, { ws, changed }) => {
  const files = (Array.isArray(args.files) ? args.files : []) as { id?: string; title?: string }[];
  if (files.length === 0) return fail('invalid_arguments');
  const channelId = str(args.channel_id) ?? str(args.channels);
  const channel = channelId ? ws.channel(channelId) : undefined;
  if (channelId && !channel) return fail('channel_not_found');
  const done = [];
  for (const file of files) {
    const pending = ws.pendingFiles.get(file.id ?? '');
    if (!pending || pending.content === undefined || pending.bytes === undefined) return fail('file_not_found');
    ws.pendingFiles.delete(file.id ?? '');
    const threadTs = str(args.thread_ts);
    const sim = {
      id: file.id ?? '',
      name: pending.name,
      title: file.title ?? pending.name,
      size: pending.length,
      content: pending.content,
      bytes: pending.bytes,
      ...(threadTs ? { threadTs } : {}),
    };
    if (channel) {
      const ts = ws.nextTs();
      const comment = typeof args.initial_comment === 'string' ? args.initial_comment : '';
      channel.messages.set(ts, {
        ts,
        user: ws.botUserId,
        text: comment,
        blocks: [],
        files: [sim],
        ...(threadTs ? { threadTs: ws.threadRoot(channel, threadTs) ?? threadTs } : {}),
      });
    }
    done.push({ id: sim.id, name: sim.name, title: sim.title });
  }
  changed();
  return { ok: true, files: done };
};

export const METHODS: Record<string, Method> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'auth.test': authTest,
  'conversations.info': conversationsInfo,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'views.open': viewsOpen,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
