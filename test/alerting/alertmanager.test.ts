import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { type RunningMedic, startMedic } from '../../src/main.js';
import { createRedisConnection } from '../../src/store/redis.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { ROOT, runTool } from './tools.js';

const snippetFile = join(ROOT, 'alerting/alertmanager.yaml');
const snippet = parse(readFileSync(snippetFile, 'utf8'));
const medicRoute = snippet.route.routes.find((r: any) => r.receiver === 'medic');
const webhook = snippet.receivers.find((r: any) => r.name === 'medic').webhook_configs[0];

describe('alerting/alertmanager.yaml', () => {
  it('passes amtool check-config', () => {
    const result = runTool('amtool', ['check-config', snippetFile]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it("posts to the medic-web Service's /alertmanager route with a bearer token from a file", () => {
    const url = new URL(webhook.url);
    expect(url.pathname).toBe('/alertmanager');
    expect(url.hostname).toBe('medic-web.medic.svc');
    expect(url.port).toBe('3000');
    expect(webhook.send_resolved).toBe(true);
    expect(webhook.max_alerts).toBeGreaterThan(0);
    expect(webhook.http_config.authorization.type).toBe('Bearer');
    expect(webhook.http_config.authorization.credentials_file).toMatch(/^\//);
    expect(webhook.http_config.authorization.credentials).toBeUndefined();
  });

  it('groups by namespace and alertname and keeps the other receivers', () => {
    expect(medicRoute.group_by).toEqual(['namespace', 'alertname']);
    expect(medicRoute.continue).toBe(true);
    expect(snippet.route.routes.indexOf(medicRoute)).toBe(0);
  });
});

interface Received {
  path: string;
  authorization: string | undefined;
  body: any;
  /** What Medic answered when the request was passed on to it. */
  medicStatus: number;
}

/**
 * A real Alertmanager running the snippet (only the host, the token file and the timings changed) sending to a
 * real Medic web server (ALERTMANAGER_TOKEN set), through a recorder that shows what went over the wire.
 */
describe('a real Alertmanager with the snippet, sending to Medic', () => {
  const token = 'token-from-a-file';
  const prefix = `medic-am-${randomUUID().slice(0, 8)}`;
  let medic: RunningMedic;
  const received: Received[] = [];
  let recorder: Server;
  let alertmanager: ChildProcess;
  let amUrl: string;
  let amLog = '';

  const nextNotification = (count: number, timeoutMs = 15_000): Promise<Received> =>
    waitFor(() => received[count - 1], { timeoutMs, what: `webhook call #${count}` }).catch((error: Error) => {
      throw new Error(`${error.message}; alertmanager log:\n${amLog}`);
    });

  beforeAll(async () => {
    medic = await startMedic({
      config: loadConfig({ PORT: '0', MEDIC_QUEUE_PREFIX: prefix, ALERTMANAGER_TOKEN: token }),
      role: 'web',
      host: '127.0.0.1',
      logger: createLogger('silent'),
      overrides: { kube: null },
    });
    recorder = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const forwarded = await fetch(`${medic.url}${req.url}`, {
        method: 'POST',
        headers: {
          'content-type': req.headers['content-type'] ?? '',
          authorization: req.headers.authorization ?? '',
        },
        body,
      });
      received.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(body.toString('utf8')),
        medicStatus: forwarded.status,
      });
      res.writeHead(forwarded.status).end(await forwarded.text());
    }).listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    const recorderPort = (recorder.address() as AddressInfo).port;

    const dir = mkdtempSync(join(tmpdir(), 'medic-am-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${token}\n`);
    const config = parse(readFileSync(snippetFile, 'utf8'));
    const route = config.route.routes[0];
    Object.assign(route, { group_wait: '1s', group_interval: '1s' });
    const hook = config.receivers.find((r: any) => r.name === 'medic').webhook_configs[0];
    const url = new URL(hook.url);
    url.host = `127.0.0.1:${recorderPort}`;
    hook.url = url.toString();
    hook.http_config.authorization.credentials_file = tokenFile;
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));

    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    alertmanager.stderr?.on('data', (d) => {
      amLog += String(d);
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const ready = await fetch(`${amUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`alertmanager did not start:\n${amLog}`);
  });

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      alertmanager.kill();
      await once(alertmanager, 'exit');
    }
    recorder?.close();
    await medic?.stop();
    const redis = createRedisConnection(loadConfig({}).redis, 'store');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** `medic_alerts_received_total{status}` from Medic's /metrics. */
  const receivedCount = async (status: string): Promise<number> => {
    const text = await (await fetch(`${medic.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`medic_alerts_received_total{status="${status}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  const labels = {
    alertname: 'KubeContainerOOMKilled',
    namespace: 'ads',
    pod: 'ad-server-7c9d8f6b5-x2klp',
    container: 'ad-server',
    severity: 'critical',
  };

  const postAlert = async (endsAt?: string) => {
    const response = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations: { summary: 'OOMKilled' }, ...(endsAt ? { endsAt } : {}) }]),
    });
    expect(response.status).toBe(200);
  };

  it('sends a firing alert to /alertmanager with the bearer token, grouped by namespace and alertname', async () => {
    await postAlert();
    const call = await nextNotification(1);
    expect(call.path).toBe('/alertmanager');
    expect(call.authorization).toBe(`Bearer ${token}`);
    expect(call.body.version).toBe('4');
    expect(call.body.status).toBe('firing');
    expect(call.body.groupLabels).toEqual({ namespace: 'ads', alertname: 'KubeContainerOOMKilled' });
    expect(call.body.alerts[0].labels).toEqual(labels);
    expect(call.medicStatus).toBe(202);
    expect(await receivedCount('firing')).toBe(1);
  });

  it('sends the resolution too (send_resolved)', async () => {
    await postAlert(new Date(Date.now() - 1000).toISOString());
    const call = await nextNotification(2);
    expect(call.body.status).toBe('resolved');
    expect(call.body.alerts[0].status).toBe('resolved');
    expect(call.medicStatus).toBe(202);
    expect(await receivedCount('resolved')).toBe(1);
  });
});
