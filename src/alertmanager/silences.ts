/**
 * Alertmanager API v2 client for silences (POST/GET /api/v2/silences, GET /api/v2/status).
 * Failures become MedicErrors, permanent or not by the one rule for upstream answers (isPermanentStatus):
 * a bad matcher or an expired silence is permanent; 5xx, 429 and network errors are transient.
 */
import { isPermanentStatus, MedicError } from '../errors.js';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export interface Silence extends Omit<NewSilence, 'startsAt' | 'endsAt'> {
  id: string;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export interface SilenceClient {
  /** Creates a silence; returns its id. */
  createSilence(silence: NewSilence, signal?: AbortSignal): Promise<string>;
  getSilence(id: string, signal?: AbortSignal): Promise<Silence>;
  /** Proves Alertmanager answers (its API has no dry run). */
  checkReady(signal?: AbortSignal): Promise<void>;
}

export interface SilenceClientOptions {
  timeoutMs?: number;
  /** Sent as `Authorization` when Alertmanager sits behind an authenticating proxy. */
  authorization?: string | undefined;
}

export function createSilenceClient(baseUrl: string, options: SilenceClientOptions = {}): SilenceClient {
  const base = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;

  async function request(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal) {
    const timeout = AbortSignal.timeout(timeoutMs);
    const what = `${method} ${path}`;
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
    if (response.ok) return text === '' ? undefined : (JSON.parse(text) as unknown);
    const reason = text.trim().slice(0, 300) || response.statusText;
    const status = response.status;
    const message = `Alertmanager refused ${what}: ${reason} (HTTP ${status})`;
    if (!isPermanentStatus(status)) throw new MedicError('UNAVAILABLE', message, { status });
    const code = status === 404 ? 'NOT_FOUND' : status === 401 || status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
    throw new MedicError(code, message, { status, permanent: true });
  }

  return {
    async createSilence(silence, signal) {
      const reply = (await request(
        'POST',
        '/api/v2/silences',
        { ...silence, startsAt: silence.startsAt.toISOString(), endsAt: silence.endsAt.toISOString() },
        signal,
      )) as { silenceID?: string } | undefined;
      if (!reply?.silenceID) {
        throw new MedicError('UNAVAILABLE', 'Alertmanager accepted the silence but returned no silenceID');
      }
      return reply.silenceID;
    },
    async getSilence(id, signal) {
      return (await request('GET', `/api/v2/silence/${encodeURIComponent(id)}`, undefined, signal)) as Silence;
    },
    async checkReady(signal) {
      await request('GET', '/api/v2/status', undefined, signal);
    },
  };
}
