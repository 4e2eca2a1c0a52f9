/** Fault injection for reliability tests: latency, error statuses with a probability, hung requests. */
import { MedicError } from '../errors.js';
import { ApiError } from './status.js';

export interface FaultRule {
  /** Regular expression tested against the URL path (no query); every path when omitted. */
  path?: RegExp | string;
  /** HTTP method (GET, PATCH, …); every method when omitted. */
  method?: string;
  /** Extra delay before answering. */
  latencyMs?: number;
  /** Answer with this status (a Status object) instead of serving the request… */
  status?: number;
  /** …with this probability, 0–1 (default 1). */
  probability?: number;
  /** Never answer until the client aborts, or until `maxHangMs` (default 30 s) passes, then a 504. */
  hang?: boolean;
  maxHangMs?: number;
}

export type FaultOutcome =
  | { kind: 'serve'; delayMs: number }
  | { kind: 'fail'; delayMs: number; error: ApiError }
  | { kind: 'hang'; maxMs: number };

const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.path === undefined) return true;
  return (typeof rule.path === 'string' ? new RegExp(rule.path) : rule.path).test(path);
}

export function faultError(status: number): ApiError {
  return new ApiError(status, REASONS[status] ?? 'InternalError', `injected fault: HTTP ${status}`);
}

/** What to do with a request under these rules; latencies add up, the first error or hang that fires wins. */
export function decideFault(
  rules: readonly FaultRule[],
  method: string,
  path: string,
  random = Math.random,
): FaultOutcome {
  let delayMs = 0;
  for (const rule of rules) {
    if (!matches(rule, method, path)) continue;
    delayMs += rule.latencyMs ?? 0;
    if (rule.hang) return { kind: 'hang', maxMs: rule.maxHangMs ?? 30_000 };
    if (rule.status !== undefined && random() < (rule.probability ?? 1)) {
      return { kind: 'fail', delayMs, error: faultError(rule.status) };
    }
  }
  return { kind: 'serve', delayMs };
}

/** Checks rules given by a caller, so a typo fails loudly instead of injecting nothing. */
export function validateFaults(rules: readonly FaultRule[]): void {
  rules.forEach((rule, i) => {
    const p = rule.probability;
    const bad = (field: string, why: string) =>
      new MedicError('BAD_REQUEST', `faults[${i}].${field} ${why}`, {
        field: `faults[${i}].${field}`,
        permanent: true,
      });
    if (p !== undefined && !(p >= 0 && p <= 1)) throw bad('probability', 'must be between 0 and 1');
    if (rule.status !== undefined && !(rule.status >= 400 && rule.status <= 599)) {
      throw bad('status', 'must be an HTTP error status (400-599)');
    }
    if (typeof rule.path === 'string') {
      try {
        new RegExp(rule.path);
      } catch (error) {
        throw bad('path', `is not a regular expression: ${(error as Error).message}`);
      }
    }
  });
}
