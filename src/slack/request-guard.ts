/**
 * After the signature check and before Bolt: only requests Medic has a listener for go on. A malformed or
 * unsupported body gets a 400 naming what is wrong at once (through the one HTTP error sink), instead of a Bolt 500 or a 3-second wait for an
 * ack no listener will give. Supported: `/scale` and `/medic`, block_actions on approve buttons, and
 * Slack's url_verification / ssl_check handshakes (Bolt answers those itself).
 */
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { MedicError } from '../errors.js';
import type { Logger } from '../logger.js';
import { firstIssue } from '../zod-issue.js';
import { LINK_ACTION_PATTERN } from './render/links.js';
import { APPROVE_ACTION_PATTERN } from './render/proposal.js';

export const SLASH_COMMANDS = ['/scale', '/medic'] as const;

const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().optional() }))
    .min(1)
    .refine(
      (actions) =>
        actions.some((a) => APPROVE_ACTION_PATTERN.test(a.action_id) || LINK_ACTION_PATTERN.test(a.action_id)),
      'has no Medic action',
    ),
});

const command = z.object({
  command: z.enum(SLASH_COMMANDS),
  text: z.string().optional(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

const handshake = z.object({ type: z.enum(['url_verification']), challenge: z.string() });

function describe(error: z.ZodError, prefix: string): string {
  const { field, message } = firstIssue(error, { under: prefix });
  return `${field} ${message}`;
}

/** What is wrong with a verified request body, or undefined when Medic handles it. */
export function checkSlackBody(raw: string, contentType: string): string | undefined {
  if (contentType.includes('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return 'body is not valid JSON';
    }
    const parsed = handshake.safeParse(json);
    return parsed.success ? undefined : 'only url_verification is accepted as JSON (Medic subscribes to no events)';
  }
  const form = new URLSearchParams(raw);
  if (form.get('ssl_check') === '1') return undefined;
  const payload = form.get('payload');
  if (payload !== null) {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      return 'payload is not valid JSON';
    }
    const parsed = blockActions.safeParse(json);
    return parsed.success ? undefined : describe(parsed.error, 'payload');
  }
  const parsed = command.safeParse(Object.fromEntries(form));
  return parsed.success ? undefined : describe(parsed.error, 'slash command');
}

export function slackRequestGuard(logger: Logger) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const problem = checkSlackBody(raw.toString('utf8'), req.header('content-type') ?? '');
    if (problem) {
      logger.warn({ problem }, 'slack request refused');
      // Answered by the one HTTP error sink (src/server/errors.ts), like every other refused request.
      next(new MedicError('BAD_REQUEST', `Medic cannot handle this Slack request: ${problem}.`, { field: '(body)' }));
      return;
    }
    next();
  };
}
