/**
 * An Alertmanager-like webhook sender: retries on 5xx and on connection errors with exponential backoff
 * (as notify/util.go's Retrier does), gives up on other statuses, and records which alerts got a 202.
 */
import { delay } from './wait.js';

export interface SenderOptions {
  /** Full URL of POST /alertmanager. */
  url: string;
  /** Bearer token, when ALERTMANAGER_TOKEN is set. */
  token?: string;
  /** First backoff; doubled per attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Stop retrying one payload after this long (Alertmanager's bound is group_interval). */
  giveUpAfterMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

export interface SendResult {
  status: number;
  attempts: number;
  /** Statuses and errors seen before the final one. */
  retried: string[];
}

export interface SenderStats {
  payloads: number;
  accepted: number;
  rejected: number;
  gaveUp: number;
  retries: number;
  retriesOn5xx: number;
  retriesOnConnectionError: number;
}

export interface AlertmanagerSender {
  send(payload: WebhookBody): Promise<SendResult>;
  /** Sends every payload with at most `concurrency` in flight. */
  sendAll(payloads: WebhookBody[], concurrency: number): Promise<SendResult[]>;
  /** Fingerprints of every alert that was in a payload answered 202. */
  acceptedFingerprints(): Set<string>;
  stats(): SenderStats;
}

/** The part of a webhook body the sender needs to know about. */
export interface WebhookBody {
  alerts: readonly { fingerprint: string }[];
}

export function createAlertmanagerSender(options: SenderOptions): AlertmanagerSender {
  const initial = options.initialBackoffMs ?? 50;
  const max = options.maxBackoffMs ?? 1000;
  const giveUpAfter = options.giveUpAfterMs ?? 60_000;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const accepted = new Set<string>();
  const stats: SenderStats = {
    payloads: 0,
    accepted: 0,
    rejected: 0,
    gaveUp: 0,
    retries: 0,
    retriesOn5xx: 0,
    retriesOnConnectionError: 0,
  };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Alertmanager/0.28.1',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };

  async function attempt(body: string): Promise<number | Error> {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(requestTimeout),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async function send(payload: WebhookBody): Promise<SendResult> {
    stats.payloads += 1;
    const body = JSON.stringify(payload);
    const started = Date.now();
    const retried: string[] = [];
    let backoff = initial;
    for (let attempts = 1; ; attempts += 1) {
      const outcome = await attempt(body);
      const isConnectionError = outcome instanceof Error;
      const retryable = isConnectionError || outcome >= 500;
      if (!retryable) {
        if (outcome === 202 || (outcome >= 200 && outcome < 300)) {
          stats.accepted += 1;
          for (const alert of payload.alerts) accepted.add(alert.fingerprint);
        } else {
          stats.rejected += 1;
        }
        return { status: outcome, attempts, retried };
      }
      if (Date.now() - started > giveUpAfter) {
        stats.gaveUp += 1;
        return { status: isConnectionError ? 0 : outcome, attempts, retried };
      }
      stats.retries += 1;
      if (isConnectionError) stats.retriesOnConnectionError += 1;
      else stats.retriesOn5xx += 1;
      retried.push(isConnectionError ? outcome.message : String(outcome));
      await delay(backoff * (0.5 + Math.random() / 2));
      backoff = Math.min(max, backoff * 2);
    }
  }

  async function sendAll(payloads: WebhookBody[], concurrency: number): Promise<SendResult[]> {
    const results: SendResult[] = new Array(payloads.length);
    let next = 0;
    const lanes = Array.from({ length: Math.max(1, concurrency) }, async () => {
      for (let i = next++; i < payloads.length; i = next++) {
        results[i] = await send(payloads[i]!);
      }
    });
    await Promise.all(lanes);
    return results;
  }

  return {
    send,
    sendAll,
    acceptedFingerprints: () => new Set(accepted),
    stats: () => ({ ...stats }),
  };
}
