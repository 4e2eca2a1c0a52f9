/** A real Alertmanager (Debian's prometheus-alertmanager) on a free port, private storage, no clustering. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { spawnTracked } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

export interface RunningAlertmanager {
  url: string;
  stop(): Promise<void>;
}

const CONFIG = `route:
  receiver: nobody
receivers:
  - name: nobody
`;

/** Groups by namespace and alertname, as alerting/alertmanager.yaml does, with test timings. */
const webhookConfig = (url: string) => `route:
  receiver: medic
  group_by: [namespace, alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: medic
    webhook_configs:
      - url: ${url}
        send_resolved: true
`;

/** With `webhookUrl`, Alertmanager notifies it (Medic's /alertmanager); `port` when the caller needs it up front. */
export async function startAlertmanager(
  options: { webhookUrl?: string; port?: number } = {},
): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'medic-am-'));
  await writeFile(join(dir, 'alertmanager.yml'), options.webhookUrl ? webhookConfig(options.webhookUrl) : CONFIG);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const am = spawnTracked('alertmanager', ALERTMANAGER_BINARY, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
  try {
    await waitFor(
      async () => {
        if (!am.isRunning()) throw new Error(`alertmanager exited:\n${am.output()}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'Alertmanager to be ready' },
    );
  } catch (error) {
    await am.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      await am.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
