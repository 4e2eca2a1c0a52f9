/**
 * Slack's v0 request signing: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret.
 * The simulator signs with it; the receiver verifies with Bolt's `verifySlackRequest` and an injectable clock.
 */
import { createHmac } from 'node:crypto';

export type SignedHeaders = {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
};

/** Headers Slack would send with `body` at `timestampSec` (seconds since epoch). */
export function signSlackRequest(signingSecret: string, body: string, timestampSec: number): SignedHeaders {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': `v0=${signature}` };
}
