/**
 * Slack request verification in front of Bolt: v0 signature over the raw body, timestamp within 5 minutes
 * of an injectable clock (either direction, as Slack's samples check), 401 otherwise (answered by the one HTTP
 * error sink, src/server/errors.ts). Bolt then parses the raw body we leave on `req.rawBody`.
 */
import { verifySlackRequest } from '@slack/bolt';
import type { NextFunction, Request, Response } from 'express';
import { MedicError } from '../errors.js';
import type { Logger } from '../logger.js';

const MAX_SKEW_S = 300;

export function slackSignatureMiddleware(options: { signingSecret: string; now: () => number; logger: Logger }) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.header('x-slack-signature');
    const timestamp = Number(req.header('x-slack-request-timestamp'));
    const reject = (reason: string) => {
      options.logger.warn({ reason, path: req.path }, 'slack request rejected');
      next(
        new MedicError('UNAUTHORIZED', `Slack request verification failed: ${reason}.`, { field: 'x-slack-signature' }),
      );
    };
    if (!signature || !Number.isFinite(timestamp)) {
      reject('missing signature or timestamp');
      return;
    }
    if (Math.abs(options.now() / 1000 - timestamp) > MAX_SKEW_S) {
      reject('timestamp outside the 5-minute window');
      return;
    }
    try {
      verifySlackRequest({
        signingSecret: options.signingSecret,
        body: raw.toString('utf8'),
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: options.now(),
      });
    } catch {
      // The reason is always "signature mismatch" here (staleness was checked above); it is logged by reject().
      reject('signature mismatch');
      return;
    }
    Object.assign(req, { rawBody: raw });
    next();
  };
}
