/**
 * One account of a Redis outage per process. Every Redis client Medic runs — its own connections and the ones
 * BullMQ opens for each queue and worker — fails on every reconnect attempt while Redis is gone; logged one by
 * one that was thousands of lines a minute. Connection failures from all of them come here instead and make
 * three kinds of line: the first failure, at most one summary per interval with the count, and "redis is back" once
 * a connection is ready and none fails for a moment after.
 * Any other Redis error (a script error, a refused command) is still logged as it happens.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export interface RedisOutageLog {
  /** An 'error' event of a connection, queue or worker; `source` names it ("connection store", "worker alerts"). */
  report(source: string, error: unknown): void;
  /** A connection is ready again: an outage under way ends with one line. */
  restored(source: string): void;
  /** True between the first connection failure and the confirmed end of the outage (a ready connection, then quiet). */
  isDown(): boolean;
}

export interface RedisOutageLogOptions {
  logger: Logger;
  /** At most one "still unreachable" line per this interval; default 60 s. */
  summaryIntervalMs?: number;
  /** A ready connection ends the outage once no connection has failed for this long; default 1 s. */
  confirmBackMs?: number;
  now?: () => number;
}

/** Errors that mean "cannot reach Redis" rather than "Redis refused this command". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const CONNECTION_MESSAGES =
  /Connection is closed|max retries per request|enableOfflineQueue options is false|redis connection is|connect ETIMEDOUT|Socket closed unexpectedly/i;

export function isRedisConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.test(errorMessage(error));
}

/**
 * The error without its stack (not under pino's `err` key, whose serializer adds one): an outage line says
 * what failed; the stack of a socket error says nothing.
 */
function brief(error: unknown): { error: string; code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return { error: errorMessage(error), ...(typeof code === 'string' ? { code } : {}) };
}

export function createRedisOutageLog(options: RedisOutageLogOptions): RedisOutageLog {
  const logger = options.logger;
  const interval = options.summaryIntervalMs ?? 60_000;
  const confirmMs = options.confirmBackMs ?? 1000;
  const now = options.now ?? Date.now;
  let down: { since: number; failures: number; sinceSummary: number; lastSummaryAt: number } | null = null;
  let confirming: NodeJS.Timeout | null = null;

  return {
    report(source, error) {
      if (!isRedisConnectionError(error)) {
        logger.warn({ source, ...brief(error) }, 'redis error');
        return;
      }
      // A connection that turned ready as Redis went away (its handshake answered just before) is no recovery.
      if (confirming) {
        clearTimeout(confirming);
        confirming = null;
      }
      const at = now();
      if (!down) {
        down = { since: at, failures: 1, sinceSummary: 0, lastSummaryAt: at };
        logger.error({ source, ...brief(error) }, 'redis unreachable; retrying (one summary line per interval)');
        return;
      }
      down.failures += 1;
      down.sinceSummary += 1;
      if (at - down.lastSummaryAt < interval) return;
      logger.warn(
        { failures: down.sinceSummary, downForMs: at - down.since, ...brief(error) },
        'redis still unreachable',
      );
      down.sinceSummary = 0;
      down.lastSummaryAt = at;
    },
    restored(source) {
      if (!down || confirming) return;
      // Said once no connection has failed for a moment: a ready event racing the outage's first errors (one
      // connection's handshake answered just before Redis died) would otherwise end it and start it again.
      confirming = setTimeout(() => {
        confirming = null;
        if (!down) return;
        logger.info({ source, downForMs: now() - down.since, failures: down.failures }, 'redis is back');
        down = null;
      }, confirmMs);
      confirming.unref();
    },
    isDown: () => down !== null,
  };
}
