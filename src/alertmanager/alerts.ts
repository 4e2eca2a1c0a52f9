/**
 * Alertmanager API v2 client for what Alertmanager holds now: `GET /api/v2/alerts` (the alerts not yet ended,
 * each with its state: active, suppressed by a silence or an inhibition, or unprocessed) and the process's
 * start time from `GET /api/v2/status`. Errors as src/alertmanager/http.ts makes them; an answer of the wrong
 * shape is a transient UNAVAILABLE naming the field (a proxy's error page, an incompatible version).
 */
import { z } from 'zod';
import { MedicError } from '../errors.js';
import { firstIssue } from '../zod-issue.js';
import { type AlertmanagerClientOptions, createAlertmanagerRequest } from './http.js';

const alertStateSchema = z.object({
  fingerprint: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  status: z.object({
    state: z.enum(['active', 'suppressed', 'unprocessed']),
    silencedBy: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
    inhibitedBy: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
  }),
});
const alertsSchema = z.array(alertStateSchema);
const statusSchema = z.object({
  uptime: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time'),
});

/** One alert as Alertmanager holds it now (ended alerts are not listed). */
export type AlertState = z.infer<typeof alertStateSchema>;

export interface AlertQuery {
  /** Equality matchers (`name="value"`): the labels an alert group was grouped by. */
  matchers?: Record<string, string>;
  /** Which states to list; Alertmanager's defaults are all true. */
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  unprocessed?: boolean;
}

export interface AlertsClient {
  listAlerts(query: AlertQuery, signal?: AbortSignal): Promise<AlertState[]>;
  /** When this Alertmanager process started (ms since epoch): it keeps alerts in memory only. */
  startedAt(signal?: AbortSignal): Promise<number>;
}

/** A label value in Alertmanager's matcher syntax: double-quoted, with `\`, `"` and newlines escaped. */
export function equalityMatcher(name: string, value: string): string {
  const quoted = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${name}="${quoted}"`;
}

/** The query string of `GET /api/v2/alerts` for `query` (one `filter` parameter per matcher). */
export function alertsQueryString(query: AlertQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query.matchers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    params.append('filter', equalityMatcher(name, value));
  }
  for (const state of ['active', 'silenced', 'inhibited', 'unprocessed'] as const) {
    const wanted = query[state];
    if (wanted !== undefined) params.set(state, String(wanted));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { field, message } = firstIssue(result.error);
  throw new MedicError('UNAVAILABLE', `Alertmanager answered ${what} with an unexpected body: ${field} ${message}`);
}

export function createAlertsClient(baseUrl: string, options: AlertmanagerClientOptions = {}): AlertsClient {
  const { request } = createAlertmanagerRequest(baseUrl, options);
  return {
    async listAlerts(query, signal) {
      const body = await request('GET', `/api/v2/alerts${alertsQueryString(query)}`, undefined, signal);
      return parsed(alertsSchema, body, 'GET /api/v2/alerts');
    },
    async startedAt(signal) {
      const body = await request('GET', '/api/v2/status', undefined, signal);
      return Date.parse(parsed(statusSchema, body, 'GET /api/v2/status').uptime);
    },
  };
}
