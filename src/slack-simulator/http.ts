/** Request parsing and fault injection for the simulator's HTTP side. */
import type { IncomingMessage } from 'node:http';

/** Fields the WebClient sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'files']);

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a Web API request body: form-urlencoded (JSON-encoded nested fields), JSON or multipart. */
export async function parseArgs(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  if (contentType.startsWith('application/json')) {
    const parsed = JSON.parse(raw.toString('utf8') || '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const args: Record<string, unknown> = {};
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form.entries()) {
      args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return args;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    args[key] = value;
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // Slack answers a non-JSON blocks field with invalid_blocks/invalid_arguments; keep the string so it does.
        args[key] = value;
      }
    }
  }
  return args;
}

export interface SimFaults {
  /** The next `count` calls (to `methods`, default every method) answer 429 with `Retry-After`. */
  rateLimit?: { count: number; retryAfterSec: number; methods?: string[] };
  /** The next `count` calls answer an HTTP 5xx (default 503). */
  serverErrors?: { count: number; status?: number; methods?: string[] };
  /** Every Web API call answers 503 until this time (ms since epoch). */
  outageUntil?: number;
}

export type FaultAnswer = { status: number; headers: Record<string, string>; error: string } | undefined;

/** Picks the fault for one call, consuming it from the budget. */
export function takeFault(faults: SimFaults, method: string, now: number): FaultAnswer {
  if (faults.outageUntil !== undefined && now < faults.outageUntil) {
    return { status: 503, headers: {}, error: 'service_unavailable' };
  }
  const rl = faults.rateLimit;
  if (rl && rl.count > 0 && (!rl.methods || rl.methods.includes(method))) {
    rl.count -= 1;
    return { status: 429, headers: { 'retry-after': String(rl.retryAfterSec) }, error: 'ratelimited' };
  }
  const se = faults.serverErrors;
  if (se && se.count > 0 && (!se.methods || se.methods.includes(method))) {
    se.count -= 1;
    return { status: se.status ?? 503, headers: {}, error: 'internal_error' };
  }
  return undefined;
}
