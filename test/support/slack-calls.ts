/**
 * Reading Medic's Slack Web API calls as they pass the fault proxy: which method, which channel/thread,
 * and the diagnosis metadata (`medic_diagnosis` event payload with the alert fingerprint).
 */
import type { ProxiedRequest } from './fault-proxy.js';

export interface SlackCall {
  method: string;
  channel?: string;
  /** chat.update: the message edited. */
  ts?: string;
  threadTs?: string;
  /** The posted/updated message's ts from Slack's answer. */
  resultTs?: string;
  ok: boolean;
  diagnosis?: { fingerprint: string; rootCause: string; playbook: string };
  at: number;
}

function parseArgs(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.startsWith('{')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

function parseMetadata(value: unknown): SlackCall['diagnosis'] {
  const metadata = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  const m = metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
  if (m?.event_type !== 'medic_diagnosis' || !m.event_payload) return undefined;
  const p = m.event_payload;
  return { fingerprint: String(p.fingerprint), rootCause: String(p.root_cause), playbook: String(p.playbook) };
}

/** One Web API exchange as Medic made it; undefined for non-API paths. */
export function parseSlackCall(request: ProxiedRequest, body: Buffer, response: Buffer): SlackCall | undefined {
  if (!request.path.startsWith('/api/')) return undefined;
  const args = parseArgs(body);
  let answer: { ok?: boolean; ts?: string } = {};
  try {
    answer = JSON.parse(response.toString('utf8')) as typeof answer;
  } catch {
    answer = { ok: false };
  }
  const diagnosis = parseMetadata(args.metadata);
  return {
    method: request.path.slice(5),
    ...(typeof args.channel === 'string' ? { channel: args.channel } : {}),
    ...(typeof args.ts === 'string' ? { ts: args.ts } : {}),
    ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
    ...(answer.ts ? { resultTs: answer.ts } : {}),
    ok: answer.ok === true,
    ...(diagnosis ? { diagnosis } : {}),
    at: request.at,
  };
}
