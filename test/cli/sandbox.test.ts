import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioCluster } from '../support/sandbox.js';

const BIN = fileURLToPath(new URL('../../bin/medic.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'medic-sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function medic(...args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('medic sandbox', () => {
  it('serves the snapshot, prints the URL and a kubectl line, and exits cleanly on SIGTERM', async () => {
    const child = medic('--cluster', scenarioCluster('oom-limit'), '--port', '0');
    const result = finish(child);
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\nTry:') && out.endsWith('\n')) resolve();
      });
    });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(out).toContain(`Try: kubectl --server ${url} get pods -A`);
    const pods = (await (await fetch(`${url}/api/v1/namespaces/ads/pods`)).json()) as { items: unknown[] };
    expect(pods.items.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const { code, stdout } = await result;
    expect(code).toBe(0);
    expect(stdout).toContain('Sandbox stopped (SIGTERM).');
  });

  it('fails with one clear line and exit 1 for a malformed snapshot', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {namespace: a}}\n',
    );
    const { code, stderr } = await finish(medic('--cluster', file));
    expect(code).toBe(1);
    expect(stderr).toBe(
      `medic sandbox: ${file}: document 0, item 0: metadata.name: Invalid input: expected string, received undefined\n`,
    );
  });

  it('fails with exit 1 for a missing file or a bad port', async () => {
    const [missing, port] = await Promise.all([
      finish(medic('--cluster', join(dir, 'none.yaml'))),
      finish(medic('--cluster', scenarioCluster('oom-limit'), '--port', 'x')),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`medic sandbox: cannot read ${join(dir, 'none.yaml')}: no such file\n`);
    expect(port.code).toBe(1);
    expect(port.stderr).toBe('medic sandbox: --port must be a TCP port number (0-65535), got "x"\n');
  });
});
