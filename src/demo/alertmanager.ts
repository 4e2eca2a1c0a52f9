/**
 * `medic demo --alertmanager`: a real prometheus-alertmanager between the demo's alerts and Medic. The demo
 * posts the alerts to its API v2; Alertmanager groups them by namespace and calls Medic's webhook with the
 * bearer token, exactly as in production (a kube-prometheus-like route with a short group_wait).
 *
 * The demo's alerts started minutes ago, and Alertmanager flushes a new group at once when an alert's group_wait
 * is already over (dispatch.go, aggrGroup.insert): its first notification can go out before the rest of the same
 * POST is inserted, and carry only part of the group. A short group_interval sends the complete group a second
 * later instead of a minute later.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MedicError } from '../errors.js';
import { freePort } from './redis.js';

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

export interface DemoAlertmanager {
  url: string;
  pid?: number;
  /** POST /api/v2/alerts with the alerts of webhook payloads (labels, annotations, times, generator URL). */
  postAlerts(payloads: Record<string, unknown>[]): Promise<void>;
  stop(): Promise<void>;
}

function alertmanagerConfig(webhookUrl: string, token: string, groupBy: string[]): string {
  return stringify({
    route: {
      receiver: 'medic',
      group_by: groupBy,
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '12h',
    },
    receivers: [
      {
        name: 'medic',
        webhook_configs: [
          {
            url: webhookUrl,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials: token } },
          },
        ],
      },
    ],
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new MedicError('UNAVAILABLE', `Alertmanager exited with code ${child.exitCode}.`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new MedicError('UNAVAILABLE', 'Alertmanager did not become ready within 10 seconds.');
}

export async function startDemoAlertmanager(options: {
  webhookUrl: string;
  token: string;
  binary?: string;
  /** The route's group_by; default by namespace (the demo with several clusters adds `cluster`). */
  groupBy?: string[];
}): Promise<DemoAlertmanager> {
  const binary = options.binary ?? ALERTMANAGER_BINARY;
  if (!existsSync(binary)) {
    throw new MedicError(
      'UNAVAILABLE',
      `--alertmanager needs ${binary} (Debian/Ubuntu: \`sudo apt-get install prometheus-alertmanager\`); run without it to send the alerts straight to Medic.`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'medic-demo-am-'));
  await writeFile(
    join(dir, 'alertmanager.yml'),
    alertmanagerConfig(options.webhookUrl, options.token, options.groupBy ?? ['namespace']),
    {
      mode: 0o600,
    },
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    async postAlerts(payloads) {
      const alerts = payloads.flatMap((p) =>
        (Array.isArray(p.alerts) ? (p.alerts as Record<string, unknown>[]) : []).map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          generatorURL: a.generatorURL,
        })),
      );
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok) {
        throw new MedicError(
          'UNAVAILABLE',
          `Alertmanager refused the alerts: HTTP ${response.status} ${await response.text()}`,
        );
      }
    },
    stop,
  };
}
