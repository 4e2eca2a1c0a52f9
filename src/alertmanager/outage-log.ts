/**
 * One account of an Alertmanager outage per process, for the checks that poll it (src/incidents/
 * silence-follow.ts): every followed group fails its check while Alertmanager is down, and a line each would be
 * a flood. Three kinds of line instead: the first failure, at most one summary per interval with the count of
 * failed checks, and "alertmanager is back".
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export interface AlertmanagerOutageLog {
  /** A call failed; `what` says which check ("silence check", "silence sweep"). */
  failed(what: string, error: unknown): void;
  /** A call succeeded: an outage under way ends with one line. */
  succeeded(): void;
}

export function createAlertmanagerOutageLog(options: {
  logger: Logger;
  /** At most one "still failing" line per this interval; default 60 s. */
  summaryIntervalMs?: number;
  now?: () => number;
}): AlertmanagerOutageLog {
  const { logger } = options;
  const interval = options.summaryIntervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let down: { since: number; failures: number; sinceSummary: number; lastSummaryAt: number } | null = null;
  return {
    failed(what, error) {
      const at = now();
      if (!down) {
        down = { since: at, failures: 1, sinceSummary: 0, lastSummaryAt: at };
        logger.warn(
          { what, error: errorMessage(error) },
          'alertmanager call failed; silenced groups are checked again at the next interval (one summary line a minute)',
        );
        return;
      }
      down.failures += 1;
      down.sinceSummary += 1;
      if (at - down.lastSummaryAt < interval) return;
      logger.warn(
        { failures: down.sinceSummary, downForMs: at - down.since, error: errorMessage(error) },
        'alertmanager calls still failing',
      );
      down.sinceSummary = 0;
      down.lastSummaryAt = at;
    },
    succeeded() {
      if (!down) return;
      logger.info({ downForMs: now() - down.since, failures: down.failures }, 'alertmanager is back');
      down = null;
    },
  };
}
