/**
 * The Slack Web API client. Retries are the WebClient's own: a 429 pauses its queue for `Retry-After` then
 * retries; 5xx and network errors retry with exponential backoff. No hand-written retry loops.
 */
import { LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
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

export interface SlackClientOptions {
  token: string;
  /** SLACK_API_URL; default Slack's own. */
  apiUrl?: string | undefined;
  logger: Logger;
  /** p-retry options; default: 10 retries, 1 s doubling up to 30 s (about 5 minutes in all). */
  retry?: { retries: number; minTimeout: number; maxTimeout: number };
  timeoutMs?: number;
}

/** How long one Slack Web API call may take before it fails (and is retried where the client retries). */
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

export const DEFAULT_SLACK_RETRY = { retries: 10, minTimeout: 1000, maxTimeout: 30_000, factor: 2, randomize: true };

export function createSlackClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    logger: toSlackLogger(options.logger),
    retryConfig: options.retry ?? DEFAULT_SLACK_RETRY,
    timeout: options.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS,
  });
}

/** usergroups.users.list for the approver check. */
export function usergroupMembersLister(client: WebClient) {
  return async (groupId: string): Promise<string[]> => {
    const result = await client.usergroups.users.list({ usergroup: groupId });
    return result.users ?? [];
  };
}
