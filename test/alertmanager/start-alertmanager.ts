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

export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'medic-am-'));
  await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
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
