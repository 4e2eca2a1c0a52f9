import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { scenarioCluster } from '../support/sandbox.js';

const run = promisify(execFile);
let sandbox: Sandbox;
let dir: string;
const ns = 'prod';
const pod = 'proxy-6d5f8b7c9-4kq9z';

/** Runs kubectl against the sandbox; returns stdout and stderr (which must stay free of warnings). */
async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir };
  return run('/usr/bin/kubectl', ['--cache-dir', join(dir, 'cache'), ...args], { env, timeout: 20_000 });
}

beforeAll(async () => {
  sandbox = await startSandbox({ file: scenarioCluster('consul-sidecar-churn') });
  dir = mkdtempSync(join(tmpdir(), 'medic-kubectl-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1
kind: Config
clusters: [{name: sandbox, cluster: {server: "${sandbox.url}"}}]
users: [{name: sandbox, user: {}}]
contexts: [{name: sandbox, context: {cluster: sandbox, user: sandbox, namespace: ${ns}}}]
current-context: sandbox
`,
  );
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

type Workload = { spec: Record<string, unknown>; metadata: Record<string, unknown> };
const deployment = () => sandbox.store.get('apps/v1', 'Deployment', ns, 'proxy') as unknown as Workload;

describe('kubectl against the sandbox', () => {
  it('gets pods in all namespaces without warnings', async () => {
    const { stdout, stderr } = await kubectl('get', 'pods', '-A');
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(stdout).toMatch(new RegExp(`prod\\s+${pod}\\s+2/2\\s+Running\\s+\\d+`));
  });

  it('gets one deployment as JSON', async () => {
    const { stdout, stderr } = await kubectl('get', 'deploy', '-n', ns, 'proxy', '-o', 'json');
    expect(stderr).toBe('');
    const object = JSON.parse(stdout) as { kind: string; metadata: { name: string }; spec: { replicas: number } };
    expect(object).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'proxy' },
      spec: { replicas: deployment().spec.replicas },
    });
  });

  it('scales a deployment', async () => {
    const { stdout, stderr } = await kubectl('scale', 'deploy/proxy', '--replicas=5');
    expect(stderr).toBe('');
    expect(stdout).toContain('deployment.apps/proxy scaled');
    expect(deployment().spec.replicas).toBe(5);
  });

  it('cordons a node', async () => {
    const node = (sandbox.store.get('v1', 'Pod', ns, pod) as unknown as { spec: { nodeName: string } }).spec.nodeName;
    const { stdout, stderr } = await kubectl('cordon', node);
    expect(stderr).toBe('');
    expect(stdout).toContain(`node/${node} cordoned`);
    expect(
      (sandbox.store.get('v1', 'Node', undefined, node) as unknown as { spec: { unschedulable?: boolean } }).spec
        .unschedulable,
    ).toBe(true);
    const nodes = await kubectl('get', 'node', node);
    expect(nodes.stdout).toMatch(new RegExp(`${node.replaceAll('.', '\\.')}\\s+Ready,SchedulingDisabled\\s`));
  });

  it('prints the previous log of a container', async () => {
    const { stdout, stderr } = await kubectl('logs', pod, '-c', 'consul-client', '--previous');
    expect(stderr).toBe('');
    expect(stdout).toContain('agent: Synced service: service=proxy');
  });

  it('gets events for one object with a field selector', async () => {
    const { stdout, stderr } = await kubectl(
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${pod}`,
      '-o',
      'name',
    );
    expect(stderr).toBe('');
    const names = stdout.trim().split('\n');
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('event/'))).toBe(true);
    const events = sandbox.store
      .list('v1', 'Event', ns)
      .filter((e) => (e.involvedObject as { name: string }).name === pod);
    expect(names).toHaveLength(events.length);
  });

  it('deletes a pod', async () => {
    const { stdout, stderr } = await kubectl('delete', 'pod', pod);
    expect(stderr).toBe('');
    expect(stdout).toContain(`pod "${pod}" deleted`);
    expect(sandbox.store.get('v1', 'Pod', ns, pod)).toBeUndefined();
  });

  // A template patch rolls the Deployment's pods out, as a real cluster does: after the tests of the snapshot's pod.
  it('patches with strategic merge, merge and JSON patches', async () => {
    const strategic = {
      spec: {
        template: { spec: { containers: [{ name: 'consul-client', resources: { limits: { memory: '500Mi' } } }] } },
      },
    };
    expect((await kubectl('patch', 'deploy', 'proxy', '-p', JSON.stringify(strategic))).stderr).toBe('');
    const containers = (
      deployment().spec.template as {
        spec: { containers: { name: string; resources?: { limits?: { memory?: string } } }[] };
      }
    ).spec.containers;
    expect(containers.map((c) => c.name)).toEqual(['proxy', 'consul-client']);
    expect(containers[1]?.resources?.limits?.memory).toBe('500Mi');
    // The template changed, so the rollout runs every replica from the new template.
    const pods = await kubectl(
      'get',
      'pods',
      '-l',
      'app=proxy',
      '-o',
      'jsonpath={.items[*].spec.containers[1].resources.limits.memory}',
    );
    expect(pods.stdout.split(' ')).toEqual(Array(deployment().spec.replicas).fill('500Mi'));
    expect(
      (await kubectl('patch', 'deploy', 'proxy', '--type=merge', '-p', '{"metadata":{"labels":{"fixed":"yes"}}}'))
        .stderr,
    ).toBe('');
    expect((deployment().metadata as { labels: Record<string, string> }).labels.fixed).toBe('yes');
    const json = '[{"op":"replace","path":"/spec/replicas","value":3}]';
    expect((await kubectl('patch', 'deploy', 'proxy', '--type=json', '-p', json)).stderr).toBe('');
    expect(deployment().spec.replicas).toBe(3);
  });

  it('applies a manifest with a server-side dry run and stores nothing', async () => {
    const manifest = join(dir, 'app.yaml');
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Namespace
metadata: {name: medic}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: medic-config, namespace: medic}
data: {medic.yaml: "approvers: []"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: medic, namespace: medic}
spec:
  replicas: 2
  selector: {matchLabels: {app: medic}}
  template:
    metadata: {labels: {app: medic}}
    spec: {containers: [{name: medic, image: "medic:0.1.0"}]}
`,
    );
    const { stdout, stderr } = await kubectl('apply', '--dry-run=server', '-f', manifest);
    expect(stderr).toBe('');
    expect(stdout).toContain('namespace/medic created (server dry run)');
    expect(stdout).toContain('deployment.apps/medic created (server dry run)');
    expect(sandbox.store.get('apps/v1', 'Deployment', 'medic', 'medic')).toBeUndefined();
    expect(sandbox.store.get('v1', 'Namespace', undefined, 'medic')).toBeUndefined();
  });

  it('shows API errors as kubectl prints them from a real server', async () => {
    const error = await kubectl('get', 'pod', 'nope').catch((e: { stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });
});
