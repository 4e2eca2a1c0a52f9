/**
 * `medic demo --alertmanager`: the demo's alerts posted to a real prometheus-alertmanager reach a webhook
 * grouped as the built-in payloads say (same groupKeys, fingerprints and labels), with the bearer token; a group
 * Alertmanager flushed before all its alerts were in is completed a second later, not after a minute.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERTMANAGER_BINARY, type DemoAlertmanager, startDemoAlertmanager } from '../../src/demo/alertmanager.js';
import { loadDemoScenario } from '../../src/demo/scenario.js';
import { delay } from '../support/wait.js';

type Payload = Record<string, any>;

let am: DemoAlertmanager | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await am?.stop();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  am = undefined;
  receiver = undefined;
});

/**
 * A webhook receiver behind a demo Alertmanager. `complete` resolves once the latest notification of every
 * expected group holds all of its alerts (an earlier one may hold part: src/demo/alertmanager.ts).
 */
async function alertmanagerFor(expected: Map<string, Payload>) {
  const received = new Map<string, { auth: string | undefined; body: Payload; at: number }>();
  let done: () => void = () => {};
  const complete = new Promise<void>((resolve) => {
    done = resolve;
  });
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
    received.set(body.groupKey, { auth: req.headers.authorization, body, at: Date.now() });
    res.writeHead(202).end();
    if ([...expected].every(([key, want]) => received.get(key)?.body.alerts.length === want.alerts.length)) done();
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  am = await startDemoAlertmanager({ webhookUrl: `http://127.0.0.1:${port}/alertmanager`, token: 'demo-token' });
  return { am, received, complete };
}

const byFingerprint = (alerts: Payload[]) => alerts.map((a) => [a.fingerprint, a.labels]).sort();

describe.skipIf(!existsSync(ALERTMANAGER_BINARY))('the demo through a real Alertmanager', () => {
  it('delivers one webhook per namespace group, matching the built-in payloads', async () => {
    const scenario = await loadDemoScenario();
    const expected = new Map(scenario.payloads.map((p) => [p.body.groupKey as string, p.body as Payload]));
    const { am, received, complete } = await alertmanagerFor(expected);
    await am.postAlerts(scenario.payloads.map((p) => p.body));
    await complete;

    expect([...received.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [groupKey, { auth, body }] of received) {
      const want = expected.get(groupKey) as Payload;
      expect(auth).toBe('Bearer demo-token');
      expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'medic', groupLabels: want.groupLabels });
      expect(byFingerprint(body.alerts)).toEqual(byFingerprint(want.alerts));
      expect(body.commonLabels).toEqual(want.commonLabels);
    }
  }, 30_000);

  it('completes a group whose first notification went out with part of it within seconds', async () => {
    const scenario = await loadDemoScenario();
    const group = scenario.payloads.map((p) => p.body as Payload).find((body) => body.alerts.length > 1);
    if (!group) throw new Error('the demo has no group of several alerts');
    const { am, received, complete } = await alertmanagerFor(new Map([[group.groupKey, group]]));
    // The demo's alerts started minutes ago, so Alertmanager flushes the group at its first alert: the others,
    // posted after that, are left to the next notification (group_interval).
    const [first, ...rest] = group.alerts as Payload[];
    const started = Date.now();
    await am.postAlerts([{ ...group, alerts: [first] }]);
    await delay(300);
    await am.postAlerts([{ ...group, alerts: rest }]);
    await complete;
    const notification = received.get(group.groupKey);
    expect(byFingerprint(notification?.body.alerts ?? [])).toEqual(byFingerprint(group.alerts));
    expect((notification?.at ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(5000);
  }, 30_000);
});
