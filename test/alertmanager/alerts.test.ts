import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsQueryString, createAlertsClient } from '../../src/alertmanager/alerts.js';
import { MedicError } from '../../src/errors.js';
import { type RunningAlertmanager, startAlertmanager } from './start-alertmanager.js';

describe('Alertmanager alerts client against a real Alertmanager', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager();
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { labels: { alertname: 'Odd', namespace: 'ns "quoted" \\ back', pod: 'p1' } },
        { labels: { alertname: 'Odd', namespace: 'other', pod: 'p2' } },
      ]),
    });
    expect(res.status).toBe(200);
  }, 20_000);
  afterAll(async () => {
    await am?.stop();
  });

  it("lists a group's alerts by its labels, quotes and backslashes included, with their state", async () => {
    const client = createAlertsClient(am.url);
    const alerts = await client.listAlerts({ matchers: { alertname: 'Odd', namespace: 'ns "quoted" \\ back' } });
    expect(alerts.map((a) => a.labels.pod)).toEqual(['p1']);
    expect(alerts[0]?.status).toEqual({ state: 'active', silencedBy: [], inhibitedBy: [] });
    expect(await client.listAlerts({ matchers: { alertname: 'Odd' }, active: false })).toEqual([]);
  });

  it("reads Alertmanager's start time", async () => {
    const startedAt = await createAlertsClient(am.url).startedAt();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(0);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
  });

  it('writes one filter per label and only the states asked for', () => {
    expect(alertsQueryString({ matchers: { b: '2', a: '1' }, active: false, unprocessed: false })).toBe(
      '?filter=a%3D%221%22&filter=b%3D%222%22&active=false&unprocessed=false',
    );
    expect(alertsQueryString({})).toBe('');
  });

  it('reports an unreachable Alertmanager and an answer of the wrong shape as transient errors naming the problem', async () => {
    const down = await createAlertsClient('http://127.0.0.1:9', { timeoutMs: 1000 })
      .listAlerts({})
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(MedicError);
    expect((down as MedicError).permanent).toBe(false);

    const server = createServer((_req, res) => res.end(JSON.stringify([{ fingerprint: 'f1', labels: {} }])));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const odd = await createAlertsClient(url)
        .listAlerts({})
        .catch((e: unknown) => e);
      expect(odd).toBeInstanceOf(MedicError);
      expect((odd as MedicError).permanent).toBe(false);
      expect((odd as MedicError).message).toContain('GET /api/v2/alerts with an unexpected body: [0].status');
    } finally {
      server.close();
    }
  });
});
