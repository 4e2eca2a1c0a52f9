/** The simulated workspace: channels, messages (edits applied), thread replies, ephemerals, files, views. */

export interface SimUser {
  id: string;
  name: string;
  isApprover?: boolean;
}

export interface SimFile {
  id: string;
  name: string;
  title: string;
  size: number;
  /** The upload as text (for text files); `bytes` holds it exactly, for images. */
  content: string;
  bytes: Uint8Array;
  threadTs?: string;
}

export interface SimMessage {
  ts: string;
  /** Who posted it: the bot's user id, or a person's for slash-command echoes. */
  user: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  threadTs?: string;
  edited?: { ts: string };
  files: SimFile[];
}

export interface MessageView extends SimMessage {
  replies: SimMessage[];
}

export interface EphemeralView {
  user: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
}

/** One channel as a person would see it. */
export interface ChannelView {
  id: string;
  name: string;
  messages: MessageView[];
  ephemerals: EphemeralView[];
}

interface Channel {
  id: string;
  name: string;
  /** Every message, parents and replies, by ts. */
  messages: Map<string, SimMessage>;
  ephemerals: EphemeralView[];
}

const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

export class Workspace {
  readonly channels = new Map<string, Channel>();
  readonly views: { id: string; triggerId: string; view: unknown }[] = [];
  readonly pendingFiles = new Map<string, { name: string; length: number; content?: string; bytes?: Buffer }>();
  private lastTs = 0;
  private seq = 0;

  constructor(
    readonly users: SimUser[],
    readonly usergroups: Record<string, string[]>,
    readonly botUserId: string,
  ) {}

  /** Slack ts strings: seconds.microseconds, strictly increasing. */
  nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${String(this.seq).padStart(8, '0')}`;
  }

  /** Any well-formed channel id exists (a workspace where the bot is in every channel). */
  channel(id: string): Channel | undefined {
    if (!CHANNEL_ID.test(id)) return undefined;
    let channel = this.channels.get(id);
    if (!channel) {
      channel = { id, name: id.toLowerCase(), messages: new Map(), ephemerals: [] };
      this.channels.set(id, channel);
    }
    return channel;
  }

  user(id: string): SimUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** Parent ts of a message ts (a reply's thread), or undefined when the ts is unknown. */
  threadRoot(channel: Channel, ts: string): string | undefined {
    const message = channel.messages.get(ts);
    if (!message) return undefined;
    return message.threadTs ?? message.ts;
  }

  view(): ChannelView[] {
    return [...this.channels.values()].map((channel) => {
      const all = [...channel.messages.values()].sort((a, b) => compareTs(a.ts, b.ts));
      const parents = all.filter((m) => m.threadTs === undefined || m.threadTs === m.ts);
      return {
        id: channel.id,
        name: channel.name,
        messages: parents.map((p) => ({
          ...structuredClone(p),
          replies: all.filter((m) => m.threadTs === p.ts && m.ts !== p.ts).map((m) => structuredClone(m)),
        })),
        ephemerals: structuredClone(channel.ephemerals),
      };
    });
  }
}

export function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af) - Number(bf);
}
