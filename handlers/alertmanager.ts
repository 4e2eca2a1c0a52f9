/**
 * POST /alertmanager: verify the token → parse the payload (version 4) → enqueue every alert in one Redis
 * round trip → 202. Transport only: diagnosis happens in the worker. Errors go to the express error
 * middleware as MedicErrors (400 naming the field, 401, 503 when Redis cannot take the alerts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { type AlertEvent, toAlertEvents, webhookPayloadSchema } from '../src/alertmanager/payload.js';
import { MedicError } from '../src/errors.js';
import { countByAlertStatus, type Metrics } from '../src/metrics.js';
import type { EnqueueResult } from '../src/queue/queues.js';
import { firstIssue } from '../src/zod-issue.js';

export interface AlertmanagerHandlerDeps {
  enqueueAlerts(events: AlertEvent[]): Promise<EnqueueResult>;
  metrics: Metrics;
  now?: () => number;
}

const MISSING_TOKEN = 'Send the Alertmanager token as "Authorization: Bearer <token>" or basic auth.';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Equal-length digests make the comparison constant-time whatever the length of the presented secret. */
function secretMatches(presented: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(presented), expected);
}

/** The secret presented as `Bearer <token>` or as the password of `Basic <user:password>`. */
function presentedSecret(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/**
 * Middleware: 401 unless the request carries ALERTMANAGER_TOKEN (bearer, or basic-auth password with any user).
 * With no token configured the webhook is open: run it behind a network policy.
 */
export function requireAlertmanagerToken(token: string | undefined) {
  const expected = token === undefined ? null : digest(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (expected === null) {
      next();
      return;
    }
    const presented = presentedSecret(req.headers.authorization);
    if (presented === null) {
      next(new MedicError('UNAUTHORIZED', MISSING_TOKEN, { field: 'authorization' }));
      return;
    }
    if (!secretMatches(presented, expected)) {
      next(new MedicError('UNAUTHORIZED', 'The Alertmanager token is wrong.', { field: 'authorization' }));
      return;
    }
    next();
  };
}

/** Handler after body parsing: validate, enqueue, 202 with what was accepted. */
export function createAlertmanagerHandler(deps: AlertmanagerHandlerDeps) {
  const now = deps.now ?? Date.now;
  return async (req: Request, res: Response): Promise<void> => {
    const started = performance.now();
    const parsed = webhookPayloadSchema.safeParse(req.body);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error, { whole: '(body)' });
      throw new MedicError('BAD_REQUEST', `Invalid Alertmanager payload: ${field}: ${message}.`, {
        field,
      });
    }
    const events = toAlertEvents(parsed.data, now());
    let result: EnqueueResult;
    try {
      result = await deps.enqueueAlerts(events);
    } catch (error) {
      deps.metrics.intakeDuration.observe({ outcome: 'unavailable' }, (performance.now() - started) / 1000);
      throw error;
    }
    countByAlertStatus(deps.metrics.alertsReceived, events);
    countByAlertStatus(deps.metrics.alertsDeduplicated, events, result.duplicateFlags);
    deps.metrics.intakeDuration.observe({ outcome: 'accepted' }, (performance.now() - started) / 1000);
    res.status(202).json({ accepted: result.accepted, duplicates: result.duplicates });
  };
}
