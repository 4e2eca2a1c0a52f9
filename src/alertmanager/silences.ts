/**
 * Alertmanager API v2 client for silences (POST/GET /api/v2/silences, GET /api/v2/status); errors as
 * src/alertmanager/http.ts makes them.
 */
import { MedicError } from '../errors.js';
import { type AlertmanagerClientOptions, createAlertmanagerRequest } from './http.js';

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

export type SilenceClientOptions = AlertmanagerClientOptions;

export function createSilenceClient(baseUrl: string, options: SilenceClientOptions = {}): SilenceClient {
  const { request } = createAlertmanagerRequest(baseUrl, options);

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
