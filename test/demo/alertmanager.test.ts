/**
 * `medic demo --alertmanager`: the demo's alerts posted to a real prometheus-alertmanager reach a webhook
 * grouped as the built-in payloads say (same groupKeys, fingerprints and labels), with the bearer token.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_BINARY, type DemoAlertmanager, startDemoAlertmanager } from '../../src/demo/alertmanager.js';
import { loadDemoScenario } from '../../src/demo/scenario.js';

let am: DemoAlertmanager | undefined;
let receiver: Server | undefined;
afterAll(async () => {
  await am?.stop();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

describe.skipIf(!existsSync(ALERTMANAGER_BINARY))('the demo through a real Alertmanager', () => {
  it('delivers one webhook per namespace group, matching the built-in payloads', async () => {
    const scenario = await loadDemoScenario();
    const expected = new Map(scenario.payloads.map((p) => [p.body.groupKey as string, p.body]));
    const received = new Map<string, { auth: string | undefined; body: any }>();
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.set(body.groupKey, { auth: req.headers.authorization, body });
      res.writeHead(202).end();
      if (received.size === expected.size) done();
    });
    await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    am = await startDemoAlertmanager({ webhookUrl: `http://127.0.0.1:${port}/alertmanager`, token: 'demo-token' });
    await am.postAlerts(scenario.payloads.map((p) => p.body));
    await all;

    expect([...received.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [groupKey, { auth, body }] of received) {
      const want = expected.get(groupKey) as any;
      expect(auth).toBe('Bearer demo-token');
      expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'medic', groupLabels: want.groupLabels });
      const byFingerprint = (alerts: any[]) => alerts.map((a) => [a.fingerprint, a.labels]).sort();
      expect(byFingerprint(body.alerts)).toEqual(byFingerprint(want.alerts));
      expect(body.commonLabels).toEqual(want.commonLabels);
    }
  }, 30_000);
});
