/**
 * Redis gone under a running `medic serve` (Slack configured, so every queue and worker is there): the outage
 * is a few JSON lines — first failure, summaries, "redis is back" — never a raw stack trace, while /readyz
 * and /alertmanager answer 503; and SIGTERM ends the process within the pod's grace period whatever Redis does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFor, makeAlert, makePayload } from '../support/alerts.js';
import type { MedicProcess } from '../support/medic-process.js';
import { type Stack, startStack } from '../support/stack.js';
import { delay, waitFor } from '../support/wait.js';

const OUTAGE_MS = 10_000;

/** Lines of output from now on, each parsed as a JSON log record or kept raw. */
function collect(medic: MedicProcess) {
  const lines: { raw: string; record?: { msg?: string; level?: number } }[] = [];
  medic.process.onLine((raw) => {
    if (raw.trim() === '') return;
    try {
      lines.push({ raw, record: JSON.parse(raw) as { msg?: string; level?: number } });
    } catch {
      lines.push({ raw });
    }
  });
  return lines;
}

describe('a Redis outage under medic serve', () => {
  let stack: Stack;
  let medic: MedicProcess;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { objects: [] }, aof: false });
    medic = await stack.startMedic('all', { LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('logs a few structured lines, answers 503 meanwhile, and says when Redis is back', async () => {
    const lines = collect(medic);
    await stack.redis.kill();
    const readyz: number[] = [];
    const webhook: { status: number; retryAfter: string | null }[] = [];
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      readyz.push((await fetch(`${medic.baseUrl}/readyz`)).status);
      const response = await fetch(`${medic.baseUrl}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          makePayload('shop', [makeAlert(fingerprintFor(0xdead, readyz.length), { namespace: 'shop', pod: 'web-0' })]),
        ),
      });
      webhook.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
      await delay(1000);
    }
    const during = [...lines];
    const summary = during.map((l) => l.record?.msg ?? `RAW ${l.raw.slice(0, 80)}`);
    console.log(`${during.length} log lines in ${OUTAGE_MS / 1000} s of Redis outage:\n  ${summary.join('\n  ')}`);

    expect(readyz.every((s) => s === 503)).toBe(true);
    expect(webhook.every((w) => w.status === 503 && Number(w.retryAfter) > 0)).toBe(true);
    expect(during.filter((l) => !l.record).map((l) => l.raw)).toEqual([]);
    expect(
      during.filter((l) => l.record?.msg === 'redis unreachable; retrying (one summary line per interval)'),
    ).toHaveLength(1);
    // Besides the first failure and the readiness change: one line per refused webhook request (10), no more.
    const outageLines = during.filter((l) => !/request failed/.test(l.record?.msg ?? ''));
    expect(outageLines.length, summary.join('\n')).toBeLessThanOrEqual(4);

    await stack.redis.restart();
    await waitFor(async () => lines.some((l) => l.record?.msg === 'redis is back'), {
      timeoutMs: 15_000,
      what: 'the "redis is back" line',
    });
    await waitFor(async () => (await fetch(`${medic.baseUrl}/readyz`)).status === 200, {
      timeoutMs: 15_000,
      what: '/readyz 200 after Redis is back',
    });
  });

  it('ends on SIGTERM within a few seconds while Redis is unreachable', async () => {
    await stack.redis.kill();
    await delay(2000);
    const started = Date.now();
    const exit = await medic.process.stop('SIGTERM', 60_000);
    const tookMs = Date.now() - started;
    console.log(`SIGTERM with Redis gone: exit ${exit} after ${tookMs} ms`);
    expect(medic.process.isRunning()).toBe(false);
    // Dropping the connections is a forced close: exit code 1, well inside the 50 s the pod has.
    expect(exit).toBe(1);
    expect(tookMs).toBeLessThan(10_000);
  });
});
