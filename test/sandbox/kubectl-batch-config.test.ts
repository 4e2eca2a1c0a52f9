/** kubectl prints Jobs, CronJobs and ConfigMaps of a sandbox with its own columns (what JOB_FAILED and CONFIG_MISSING read). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const run = promisify(execFile);
const SCENARIOS = join(import.meta.dirname, '../scenarios');
let sandbox: Sandbox | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  sandbox = dir = undefined;
});

async function kubectlOn(scenario: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  sandbox = await startSandbox({ file: join(SCENARIOS, scenario, 'cluster.yaml') });
  dir = mkdtempSync(join(tmpdir(), 'medic-kubectl-batch-'));
  return run('/usr/bin/kubectl', ['--server', sandbox.url, '--cache-dir', join(dir, 'cache'), ...args], {
    env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') },
    timeout: 20_000,
  });
}

describe('kubectl get for the kinds of batch and config', () => {
  it('shows a failed Job and its CronJob like a real API server', async () => {
    const { stdout, stderr } = await kubectlOn('job-one-bad-index', 'get', 'cronjobs,jobs', '-n', 'analytics');
    expect(stderr).toBe('');
    expect(stdout).toMatch(/NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    expect(stdout).toMatch(/cronjob\.batch\/sessionize\s+0 2 \* \* \*\s+Europe\/Brussels\s+False\s+0\s+\S+/);
    expect(stdout).toMatch(/NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    expect(stdout).toMatch(/job\.batch\/sessionize-29401920\s+Failed\s+3\/4\s+\S+/);
  });

  it('counts a ConfigMap’s keys', async () => {
    const { stdout, stderr } = await kubectlOn('config-missing-key-in-configmap', 'get', 'configmaps', '-n', 'shop');
    expect(stderr).toBe('');
    expect(stdout).toMatch(/NAME\s+DATA\s+AGE\n/);
    expect(stdout).toMatch(/checkout-config\s+2\s+/);
  });
});
