/**
 * What Slack sends to an app: block_actions and slash-command requests — signed HTTP requests, or envelopes
 * over Socket Mode — and the response_url those requests carry (5 uses within 30 minutes, like Slack's).
 */

import { validateBlocks } from './blocks.js';
import { signSlackRequest } from './signing.js';
import type { EnvelopeType } from './socket-mode.js';
import type { SimMessage, Workspace } from './state.js';

export interface InteractionResult {
  status: number;
  body: string;
}

interface ResponseTarget {
  channel: string;
  userId: string;
  messageTs?: string;
  threadTs?: string;
  uses: number;
  createdAt: number;
}

const MAX_USES = 5;
const MAX_AGE_MS = 30 * 60_000;

export class Interactions {
  private readonly responseUrls = new Map<string, ResponseTarget>();

  constructor(
    private readonly ws: Workspace,
    private readonly options: {
      signingSecret: string;
      eventsUrl: () => string | undefined;
      baseUrl: () => string;
      now: () => number;
      /** Socket Mode: sends an envelope and resolves with the app's ack instead of POSTing to eventsUrl. */
      deliver?: (type: EnvelopeType, payload: Record<string, unknown>) => Promise<InteractionResult>;
    },
    private readonly changed: () => void,
  ) {}

  private newResponseUrl(target: Omit<ResponseTarget, 'uses' | 'createdAt'>): string {
    const id = this.ws.nextId('R');
    this.responseUrls.set(id, { ...target, uses: 0, createdAt: Date.now() });
    return `${this.options.baseUrl()}/response/${id}`;
  }

  private async send(body: string): Promise<InteractionResult> {
    const url = this.options.eventsUrl();
    if (!url) throw new Error('The Slack simulator has no eventsUrl to send interactions to.');
    const headers = signSlackRequest(this.options.signingSecret, body, Math.floor(this.options.now() / 1000));
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  private findButton(message: SimMessage, actionId: string, value: string) {
    for (const block of message.blocks as { type?: string; block_id?: string; elements?: unknown[] }[]) {
      if (block.type !== 'actions') continue;
      for (const el of (block.elements ?? []) as Record<string, unknown>[]) {
        if (el.type === 'button' && el.action_id === actionId && el.value === value) return { block, el };
      }
    }
    return undefined;
  }

  /** Sends the block_actions payload Slack sends when `userId` clicks a button of a message. */
  async clickButton(click: {
    userId: string;
    channel: string;
    messageTs: string;
    actionId: string;
    value: string;
  }): Promise<InteractionResult> {
    const channel = this.ws.channels.get(click.channel);
    const message = channel?.messages.get(click.messageTs);
    if (!channel || !message) throw new Error(`No message ${click.messageTs} in ${click.channel}.`);
    const found = this.findButton(message, click.actionId, click.value);
    if (!found) throw new Error(`Message ${click.messageTs} has no button ${click.actionId}=${click.value}.`);
    const user = this.ws.user(click.userId) ?? { id: click.userId, name: click.userId };
    const responseUrl = this.newResponseUrl({
      channel: channel.id,
      userId: user.id,
      messageTs: message.ts,
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
    });
    const payload = {
      type: 'block_actions',
      user: { id: user.id, username: user.name, name: user.name, team_id: 'T0SIM0001' },
      api_app_id: 'A0MEDIC01',
      token: 'deprecated-verification-token',
      team: { id: 'T0SIM0001', domain: 'medic-sim' },
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: channel.id,
        is_ephemeral: false,
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      },
      trigger_id: this.ws.nextId('TRIG'),
      channel: { id: channel.id, name: channel.name },
      message: {
        type: 'message',
        ts: message.ts,
        text: message.text,
        blocks: message.blocks,
        user: message.user,
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      },
      response_url: responseUrl,
      actions: [
        {
          type: 'button',
          block_id: found.block.block_id ?? 'actions',
          action_id: click.actionId,
          value: click.value,
          text: found.el.text,
          ...(found.el.style ? { style: found.el.style } : {}),
          action_ts: String(Date.now() / 1000),
        },
      ],
    };
    if (this.options.deliver) return this.options.deliver('interactive', payload);
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  /** Sends a slash command the way Slack does; an ack with a message body is shown to the user. */
  async runSlashCommand(cmd: { userId: string; channel: string; command: string; text: string }) {
    const channel = this.ws.channel(cmd.channel);
    if (!channel) throw new Error(`Channel ${cmd.channel} is not a channel id.`);
    const user = this.ws.user(cmd.userId) ?? { id: cmd.userId, name: cmd.userId };
    const responseUrl = this.newResponseUrl({ channel: channel.id, userId: user.id });
    const fields = {
      token: 'deprecated-verification-token',
      team_id: 'T0SIM0001',
      team_domain: 'medic-sim',
      channel_id: channel.id,
      channel_name: channel.name,
      user_id: user.id,
      user_name: user.name,
      command: cmd.command,
      text: cmd.text,
      api_app_id: 'A0MEDIC01',
      response_url: responseUrl,
      trigger_id: this.ws.nextId('TRIG'),
    };
    // The same fields either way: form-encoded over HTTP, a JSON payload over Socket Mode.
    const result = this.options.deliver
      ? await this.options.deliver('slash_commands', fields)
      : await this.send(new URLSearchParams(fields).toString());
    if (result.status === 200 && result.body.trim().startsWith('{')) {
      this.applyResponse(channel.id, user.id, undefined, undefined, JSON.parse(result.body));
    }
    return result;
  }

  /** A POST to a response_url; returns the HTTP status and Slack's JSON answer. */
  respond(id: string, body: unknown): { status: number; json: Record<string, unknown> } {
    const target = this.responseUrls.get(id);
    if (!target || Date.now() - target.createdAt > MAX_AGE_MS) {
      return { status: 404, json: { ok: false, error: 'expired_url' } };
    }
    if (target.uses >= MAX_USES) return { status: 404, json: { ok: false, error: 'used_url' } };
    target.uses += 1;
    const error = this.applyResponse(target.channel, target.userId, target.messageTs, target.threadTs, body);
    return error ? { status: 400, json: { ok: false, error } } : { status: 200, json: { ok: true } };
  }

  private applyResponse(
    channelId: string,
    userId: string,
    messageTs: string | undefined,
    threadTs: string | undefined,
    raw: unknown,
  ): string | undefined {
    const channel = this.ws.channels.get(channelId);
    if (!channel || typeof raw !== 'object' || raw === null) return 'invalid_payload';
    const body = raw as Record<string, unknown>;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];
    if (validateBlocks(blocks).length > 0) return 'invalid_blocks';
    const original = messageTs ? channel.messages.get(messageTs) : undefined;
    if (body.delete_original === true && original) {
      channel.messages.delete(original.ts);
    } else if (body.replace_original === true && original) {
      original.text = text;
      original.blocks = blocks;
      original.edited = { ts: this.ws.nextTs() };
    } else if (text === '' && blocks.length === 0) {
      return undefined;
    } else if (body.response_type === 'in_channel') {
      const ts = this.ws.nextTs();
      const inThread = typeof body.thread_ts === 'string' ? body.thread_ts : threadTs;
      channel.messages.set(ts, {
        ts,
        user: this.ws.botUserId,
        text,
        blocks,
        files: [],
        ...(inThread ? { threadTs: inThread } : {}),
      });
    } else {
      channel.ephemerals.push({ user: userId, ts: this.ws.nextTs(), text, blocks, ...(threadTs ? { threadTs } : {}) });
    }
    this.changed();
    return undefined;
  }
}
