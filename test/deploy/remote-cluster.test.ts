/**
 * How Medic reaches a remote cluster (deploy/remote-cluster, deploy/overlays/remote-clusters): the remote side
 * renders only the ServiceAccount, its token Secret and the shared RBAC; kubeconfig.sh turns that token into a
 * kubeconfig Medic connects with (run for real with kubectl against a sandbox API server that demands the token);
 * the overlay mounts the kubeconfigs where its medic.yaml looks for them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClusters } from '../../src/clusters/connect.js';
import { parseSettings } from '../../src/config/load.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { testConfig } from '../support/medic.js';
import { findObject, KUBECTL, ROOT, render } from './render.js';

const run = promisify(execFile);
const TOKEN = 'remote-medic-token';
const b64 = (text: string) => Buffer.from(text).toString('base64');

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('deploy/remote-cluster', () => {
  const objects = render('deploy/remote-cluster');

  it('creates the ServiceAccount, its token and the RBAC, and runs nothing in the remote cluster', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/medic-read',
      'ClusterRole/medic-remediate',
      'ClusterRoleBinding/medic-read',
      'ClusterRoleBinding/medic-remediate',
      'Namespace/medic',
      'Secret/medic-token',
      'ServiceAccount/medic',
    ]);
    const secret = findObject(objects, 'Secret', 'medic-token');
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata).toMatchObject({ annotations: { 'kubernetes.io/service-account.name': 'medic' } });
    expect(secret.data).toBeUndefined();
  });

  it("kubeconfig.sh builds from the ServiceAccount's token a kubeconfig Medic reads the cluster with", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-remote-'));
    // The remote API server's certificate, self-signed: the CA the token Secret's ca.crt carries.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-days', '1']
        .concat(['-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'])
        .concat(['-addext', 'basicConstraints=critical,CA:TRUE']),
      { cwd: dir, stdio: 'pipe' },
    );
    const cert = readFileSync(join(dir, 'server.crt'));
    sandbox = await startSandbox({
      token: TOKEN,
      tls: { cert, key: readFileSync(join(dir, 'server.key')), ca: cert },
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { namespace: 'medic', name: 'medic-token' },
          type: 'kubernetes.io/service-account-token',
          data: { token: b64(TOKEN), 'ca.crt': cert.toString('base64') },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { namespace: 'ads', name: 'api-0' },
          spec: { containers: [{ name: 'app', image: 'app:1' }] },
          status: { phase: 'Running' },
        },
      ],
    });
    // The operator's own kubeconfig for the remote cluster (their context `prod-eu`).
    const admin = join(dir, 'admin');
    writeFileSync(
      admin,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'c', cluster: { server: sandbox.url, 'certificate-authority-data': cert.toString('base64') } },
        ],
        users: [{ name: 'admin', user: { token: TOKEN } }],
        contexts: [{ name: 'prod-eu', context: { cluster: 'c', user: 'admin' } }],
        'current-context': 'prod-eu',
      }),
    );
    const { stdout } = await run(join(ROOT, 'deploy/remote-cluster/kubeconfig.sh'), ['prod-eu'], {
      env: { ...process.env, KUBECONFIG: admin, PATH: `${join(KUBECTL, '..')}:${process.env.PATH}` },
    });
    const file = join(dir, 'prod-eu');
    writeFileSync(file, stdout);

    const config = testConfig({
      MEDIC_CONFIG: writeYaml(dir, `clusters:\n  - {name: prod-eu, kubeconfig: ${file}}\n`),
    });
    const [link] = connectClusters(config, {}, () => null);
    expect(link?.name).toBe('prod-eu');
    expect(link?.kube?.server).toBe(sandbox.url);
    const reader = createClusterReader(link?.kube ?? fail());
    expect((await reader.getPod('ads', 'api-0'))?.metadata?.name).toBe('api-0');
  });
});

describe('deploy/overlays/remote-clusters', () => {
  const objects = render('deploy/overlays/remote-clusters');

  it('mounts the kubeconfigs Secret where its medic.yaml points, in the web and worker pods', () => {
    const settings = parseSettings(
      readFileSync(join(ROOT, 'deploy/overlays/remote-clusters/medic.yaml'), 'utf8'),
      'medic.yaml',
    );
    const files = (settings.clusters ?? []).flatMap((c) => (c.kubeconfig ? [c.kubeconfig] : []));
    expect(files.length).toBeGreaterThan(0);
    expect(settings.clusters?.filter((c) => c.inCluster).map((c) => c.name)).toEqual([settings.defaultCluster]);
    for (const name of ['medic-web', 'medic-worker']) {
      const pod = findObject(objects, 'Deployment', name).spec.template.spec;
      const volume = pod.volumes.find((v: any) => v.secret?.secretName === 'medic-kubeconfigs');
      const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === volume?.name);
      expect(mount?.readOnly).toBe(true);
      for (const file of files) expect(file.startsWith(`${mount.mountPath}/`)).toBe(true);
    }
    // The mounted medic.yaml is the overlay's, with the clusters.
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('medic-config-'));
    expect(configMap?.data['medic.yaml']).toContain('kubeconfig: /etc/medic-clusters/');
  });
});

function writeYaml(dir: string, text: string): string {
  const file = join(dir, 'medic.yaml');
  writeFileSync(file, text);
  return file;
}

function fail(): never {
  throw new Error('no Kubernetes APIs');
}
