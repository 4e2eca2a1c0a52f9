/**
 * One HTTP call to Alertmanager's API v2, shared by the silences and alerts clients. Failures become
 * MedicErrors, permanent or not by the one rule for upstream answers (isPermanentStatus): a bad matcher or an
 * unknown silence is permanent; 5xx, 429 and network errors are transient.
 */
import { isPermanentStatus, MedicError } from '../errors.js';

export interface AlertmanagerClientOptions {
  timeoutMs?: number;
  /** Sent as `Authorization` when Alertmanager sits behind an authenticating proxy. */
  authorization?: string | undefined;
}

export type AlertmanagerRequest = (
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal?: AbortSignal,
) => Promise<unknown>;

export function createAlertmanagerRequest(baseUrl: string, options: AlertmanagerClientOptions = {}) {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;

  const request: AlertmanagerRequest = async (method, path, body, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const what = `${method} ${path.split('?')[0]}`;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new MedicError('UNAVAILABLE', `Alertmanager at ${base} is unreachable (${what}): ${String(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (response.ok) {
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new MedicError('UNAVAILABLE', `Alertmanager answered ${what} with a body that is not JSON`, {
          cause: error,
        });
      }
    }
    const reason = text.trim().slice(0, 300) || response.statusText;
    const status = response.status;
    const message = `Alertmanager refused ${what}: ${reason} (HTTP ${status})`;
    if (!isPermanentStatus(status)) throw new MedicError('UNAVAILABLE', message, { status });
    const code = status === 404 ? 'NOT_FOUND' : status === 401 || status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
    throw new MedicError(code, message, { status, permanent: true });
  };
  return { base, request };
}
