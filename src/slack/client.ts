/**
 * Settings of the Slack Web API client (built by app.ts with Bolt). Retries are the WebClient's own: a 429 pauses its queue for `Retry-After` then
 * retries; 5xx and network errors retry with exponential backoff. No hand-written retry loops.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../logger.js';

/** pino behind the Logger interface the Slack SDKs expect. */
export function toSlackLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack-sdk' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  let level: LogLevel = LogLevel.WARN;
  return {
    debug: (...msg: unknown[]) => log.debug(join(msg)),
    info: (...msg: unknown[]) => log.debug(join(msg)),
    warn: (...msg: unknown[]) => log.warn(join(msg)),
    error: (...msg: unknown[]) => log.error(join(msg)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** How long one Slack Web API call may take before it fails (and is retried where the client retries). */
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

/** p-retry options: 10 retries, 1 s doubling up to 30 s (about 5 minutes in all). */
export const DEFAULT_SLACK_RETRY = { retries: 10, minTimeout: 1000, maxTimeout: 30_000, factor: 2, randomize: true };
