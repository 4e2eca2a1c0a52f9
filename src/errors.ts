/**
 * One error type with a string code. Each entry point has one sink that maps the code:
 * the express error middleware (HTTP status + JSON), Bolt's app.error, the workers' failed listeners.
 */
export type MedicErrorCode =
  | 'CONFIG_INVALID'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAVAILABLE'
  | 'KUBE_API'
  | 'SLACK_API'
  | 'GUARD_RAIL'
  | 'PROPOSAL_STALE'
  | 'PROPOSAL_EXPIRED'
  | 'INTERNAL';

const HTTP_STATUS: Record<MedicErrorCode, number> = {
  CONFIG_INVALID: 500,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  KUBE_API: 502,
  SLACK_API: 502,
  GUARD_RAIL: 403,
  PROPOSAL_STALE: 409,
  PROPOSAL_EXPIRED: 410,
  INTERNAL: 500,
};

export interface MedicErrorOptions {
  /** The input field or setting at fault, e.g. `alerts[0].status` or `remediation.maxCordonNodes`. */
  field?: string;
  /** HTTP status of an upstream API (Kubernetes, Slack, Alertmanager) when it answered. */
  status?: number;
  /** True when retrying cannot help (see isPermanentStatus; refused by a guard rail). */
  permanent?: boolean;
  cause?: unknown;
}

export class MedicError extends Error {
  readonly code: MedicErrorCode;
  readonly field: string | undefined;
  readonly status: number | undefined;
  readonly permanent: boolean;

  constructor(code: MedicErrorCode, message: string, options: MedicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MedicError';
    this.code = code;
    this.field = options.field;
    this.status = options.status;
    this.permanent = options.permanent ?? false;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isMedicError(error: unknown): error is MedicError {
  return error instanceof MedicError;
}

/**
 * The one rule for an upstream HTTP answer (Kubernetes, Alertmanager, Prometheus): a 4xx means the request
 * itself was refused (forbidden, not found, invalid, conflict) and retrying it cannot help; 5xx, 408 (timeout),
 * 429 (throttled) and no answer at all (0) are transient.
 */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
