import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { KUBECTL, kustomize, parseObjects } from './render.js';

/**
 * `kubectl apply --dry-run=server` of every kustomization against the sandbox API server: discovery must know
 * every kind, and the API server must accept each object (dryRun=All) without storing it.
 * The sandbox serves no OpenAPI document, so kubectl's client-side schema download is off (--validate=false);
 * the server still validates each object it is asked to create.
 */
const run = promisify(execFile);
const sandbox: Sandbox = await startSandbox({ objects: [], port: 0 });

/** The sandbox's write path (POST with dryRun=All) is built separately from its read path; until it lands, skip. */
async function sandboxAcceptsCreate(): Promise<boolean> {
  const response = await fetch(`${sandbox.url}/api/v1/namespaces/default/configmaps?dryRun=All`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: 'default' } }),
  });
  return response.status !== 405 && response.status !== 404;
}
const canCreate = await sandboxAcceptsCreate();

async function kubectl(args: string[], input?: string): Promise<{ code: number; output: string }> {
  const child = run(KUBECTL, [`--server=${sandbox.url}`, ...args], {
    env: { ...process.env, KUBECONFIG: '/dev/null' },
    timeout: 20_000,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

afterAll(async () => {
  await sandbox?.close();
});

describe.skipIf(!canCreate).each(['deploy', 'deploy/overlays/sentinel', 'deploy/overlays/external-redis'])(
  'kubectl apply --dry-run=server -k %s',
  (dir) => {
    it('is accepted for every object and stores nothing', async () => {
      const text = kustomize(dir);
      const objects = parseObjects(text);
      const posts = sandbox.requests().count('POST', /.*/);
      const result = await kubectl(['apply', '--dry-run=server', '--validate=false', '-f', '-'], text);
      expect(result.output).not.toMatch(/error/i);
      expect(result.code).toBe(0);
      for (const o of objects) {
        expect(result.output).toContain(`${o.metadata.name} created (server dry run)`);
      }
      expect(sandbox.requests().count('POST', /.*/) - posts).toBe(objects.length);
      const after = await kubectl(['get', 'namespaces', '-o', 'name']);
      expect(after.output).not.toContain('namespace/medic');
    });
  },
);
