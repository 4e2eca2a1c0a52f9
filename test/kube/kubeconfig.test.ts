/**
 * Kubeconfigs as kubectl writes and reads them: each form is generated with `kubectl config …` (or written as
 * EKS/GKE/AKS write exec plugins), checked with kubectl itself, then used by Medic against a sandbox API server
 * that demands credentials.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/errors.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { startTestMedic } from '../support/medic.js';
import { spawnTracked } from '../support/processes.js';

const CLUSTER = join(import.meta.dirname, '../../../shared/scenarios/oom-limit/cluster.yaml');
const TOKEN = 'medic-test-token-4f2a9c';
const dir = mkdtempSync(join(tmpdir(), 'medic-kubeconfig-'));
const file = (name: string) => join(dir, name);

/** `kubectl config …` on one kubeconfig file. */
const kubectlConfig = (kubeconfig: string, ...args: string[]) =>
  execFileSync('kubectl', ['config', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });

/** `kubectl get pods -A` as a user runs it (async: the sandbox answers from this process). */
const kubectlGetPods = async (kubeconfig: string) =>
  (
    await promisify(execFile)('kubectl', ['get', 'pods', '-A', '-o', 'name', '--request-timeout=5s'], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      encoding: 'utf8',
    })
  ).stdout;

/** Pods Medic reads through the kubeconfig, by the same client path the playbooks use. */
async function medicPods(kubeconfig: string): Promise<string[]> {
  const reader = createClusterReader(createKubeApis(loadKubeConfig({ kubeconfig })));
  const namespace = 'ads';
  const pods = await reader.scoped().listPods(namespace);
  return pods.map((p) => p.metadata?.name ?? '');
}

function writeKubeconfig(name: string, server: string, user: Record<string, unknown>): string {
  const path = file(name);
  // certificate-authority-data, as kubectl writes it with --embed-certs.
  kubectlConfig(
    path,
    'set-cluster',
    'sandbox',
    `--server=${server}`,
    `--certificate-authority=${file('ca.crt')}`,
    '--embed-certs=true',
  );
  kubectlConfig(path, 'set-context', 'sandbox', '--cluster=sandbox', '--user=medic');
  kubectlConfig(path, 'use-context', 'sandbox');
  const text = readFileSync(path, 'utf8').replace(
    'users: null',
    `users:\n- name: medic\n  user: ${JSON.stringify(user)}`,
  );
  writeFileSync(path, text);
  return path;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as a cluster's PKI would hold them. */
function makePki(): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=kubernetes-ca',
  );
  const issue = (name: string, subject: string, ext: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(file(`${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  issue('apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', '/O=system:masters/CN=medic', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('ca.crt'),
    serverCert: file('apiserver.crt'),
    serverKey: file('apiserver.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
  };
}

describe('kubeconfigs kubectl accepts', () => {
  let sandbox: Sandbox;
  let pki: ReturnType<typeof makePki>;
  beforeAll(async () => {
    pki = makePki();
    // HTTPS like a real API server: kubectl sends no credentials over plain http://.
    sandbox = await startSandbox({
      file: CLUSTER,
      token: TOKEN,
      tls: { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.ca) },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('a plain http:// server (medic sandbox, kubectl proxy) without insecure-skip-tls-verify: ready and diagnosing', async () => {
    const cli = spawnTracked('medic-sandbox', process.execPath, ['bin/medic.js', 'sandbox', '--cluster', CLUSTER]);
    try {
      const line = await cli.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/, 30_000);
      const server = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
      const kubeconfig = file('http');
      kubectlConfig(kubeconfig, 'set-cluster', 'local', `--server=${server}`);
      kubectlConfig(kubeconfig, 'set-credentials', 'dev', '--token=anything');
      kubectlConfig(kubeconfig, 'set-context', 'local', '--cluster=local', '--user=dev', '--namespace=shop');
      kubectlConfig(kubeconfig, 'use-context', 'local');
      expect(readFileSync(kubeconfig, 'utf8')).not.toContain('insecure-skip-tls-verify');
      expect(await kubectlGetPods(kubeconfig)).toContain('pod/');

      const medic = await startTestMedic({
        role: 'all',
        env: { KUBECONFIG: kubeconfig },
        overrides: { kube: undefined },
      });
      try {
        const ready = await fetch(`${medic.url}/readyz`);
        expect(ready.status, await ready.text()).toBe(200);
        expect(medic.kube?.server).toBe(server);
        const alert = readFileSync(join(import.meta.dirname, '../../../shared/scenarios/oom-limit/alert.json'), 'utf8');
        expect(
          (
            await fetch(`${medic.url}/alertmanager`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: alert,
            })
          ).status,
        ).toBe(202);
        const record = await waitForDiagnosis(medic);
        expect(record).toBe('OOM_LIMIT');
      } finally {
        await medic.close();
      }
    } finally {
      await cli.stop('SIGTERM');
    }
  });

  it('a token and a token file relative to the kubeconfig, as kubectl config set-credentials writes them', {
    timeout: 90_000,
  }, async () => {
    const withToken = writeKubeconfig('token', sandbox.url, { token: TOKEN });
    expect(await kubectlGetPods(withToken)).toContain('pod/');
    expect(await medicPods(withToken)).not.toEqual([]);

    writeFileSync(file('token.txt'), TOKEN);
    const withFile = writeKubeconfig('token-file', sandbox.url, { tokenFile: 'token.txt' });
    expect(await kubectlGetPods(withFile)).toContain('pod/');
    expect(await medicPods(withFile)).not.toEqual([]);

    const wrong = writeKubeconfig('wrong-token', sandbox.url, { token: 'not-the-token' });
    await expect(kubectlGetPods(wrong)).rejects.toThrow();
    await expect(medicPods(wrong)).rejects.toThrow();
  });

  it('a proxy-url on the cluster: kubectl tunnels through the proxy; Medic says in one sentence it cannot yet', async () => {
    // An HTTP proxy as corporate networks run them: CONNECT tunnels to the API server, counted.
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const kubeconfig = writeKubeconfig('proxy', sandbox.url, { token: TOKEN });
      const { port } = proxy.address() as AddressInfo;
      kubectlConfig(kubeconfig, 'set', 'clusters.sandbox.proxy-url', `http://127.0.0.1:${port}`);
      expect(await kubectlGetPods(kubeconfig)).toContain('pod/');
      expect(tunnels).toContain(new URL(sandbox.url).host);
      let refusal: unknown;
      try {
        loadKubeConfig({ kubeconfig });
      } catch (error) {
        refusal = error;
      }
      expect(isMedicError(refusal) && refusal.field).toBe('KUBECONFIG');
      expect((refusal as Error).message).toBe(
        `kubeconfig cluster "sandbox" uses proxy-url http://127.0.0.1:${port}, which Medic does not support yet: ` +
          'run `kubectl proxy` beside Medic and set MEDIC_KUBE_SERVER=http://127.0.0.1:8001, or reach the API server directly.',
      );
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('a client certificate and key (client-certificate-data), as kubeadm writes admin.conf', async () => {
    const kubeconfig = writeKubeconfig('client-cert', sandbox.url, {});
    kubectlConfig(
      kubeconfig,
      'set-credentials',
      'medic',
      `--client-certificate=${pki.clientCert}`,
      `--client-key=${pki.clientKey}`,
      '--embed-certs=true',
    );
    expect(readFileSync(kubeconfig, 'utf8')).toContain('client-certificate-data');
    expect(await kubectlGetPods(kubeconfig)).toContain('pod/');
    expect(await medicPods(kubeconfig)).not.toEqual([]);
  });

  for (const apiVersion of ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']) {
    it(`an exec credential plugin (${apiVersion}), as EKS, GKE and AKS write them`, async () => {
      const tag = apiVersion.endsWith('v1') ? 'v1' : 'v1beta1';
      const plugin = file(`plugin-${tag}.sh`);
      const seen = file(`plugin-${tag}.env`);
      writeFileSync(
        plugin,
        `#!/bin/sh\nprintf '%s' "$KUBERNETES_EXEC_INFO" > ${seen}\nprintf '{"apiVersion":"${apiVersion}","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`,
      );
      chmodSync(plugin, 0o755);
      const exec = {
        apiVersion,
        command: `./plugin-${tag}.sh`,
        args: ['--cluster', 'sandbox'],
        interactiveMode: 'Never',
      };
      const kubeconfig = writeKubeconfig(`exec-${tag}`, sandbox.url, { exec });
      expect(await kubectlGetPods(kubeconfig)).toContain('pod/');
      writeFileSync(seen, '');
      expect(await medicPods(kubeconfig)).not.toEqual([]);
      expect(JSON.parse(readFileSync(seen, 'utf8'))).toMatchObject({ apiVersion, kind: 'ExecCredential' });
    });
  }

  it('says in one sentence when an exec plugin is missing or an auth-provider kubectl removed is used', () => {
    const missing = writeKubeconfig('exec-missing', sandbox.url, {
      // As `az aks get-credentials` writes it for an Entra ID cluster.
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'kubelogin',
        args: ['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630'],
        env: null,
        installHint:
          '\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://aka.ms/aks/kubelogin\n',
        provideClusterInfo: false,
      },
    });
    const gcp = writeKubeconfig('gcp', sandbox.url, {
      'auth-provider': { name: 'gcp', config: { 'cmd-path': 'gcloud' } },
    });
    const message = (path: string) => {
      try {
        loadKubeConfig({ kubeconfig: path });
        return 'loaded';
      } catch (error) {
        expect(isMedicError(error) && error.field).toBe('KUBECONFIG');
        return (error as Error).message;
      }
    };
    expect(message(missing)).toMatch(
      /^kubeconfig user "medic" needs the credential plugin "kubelogin", which is not installed on this machine \(not found on PATH\)\. kubelogin is not installed/,
    );
    expect(message(gcp)).toMatch(
      /^kubeconfig user "medic" uses the gcp auth-provider: kubectl removed it in 1\.26; use the gke-gcloud-auth-plugin/,
    );
  });

  it('several files in KUBECONFIG are merged as kubectl merges them: the first file wins per name', async () => {
    const first = writeKubeconfig('merge-a', sandbox.url, { token: TOKEN });
    const second = file('merge-b');
    kubectlConfig(second, 'set-cluster', 'sandbox', '--server=http://127.0.0.1:9');
    kubectlConfig(second, 'set-cluster', 'other', '--server=http://127.0.0.1:10');
    kubectlConfig(second, 'set-credentials', 'medic', '--token=wrong');
    kubectlConfig(second, 'set-context', 'other', '--cluster=other', '--user=medic');
    kubectlConfig(second, 'use-context', 'other');
    const joined = `${first}:${file('does-not-exist')}:${second}`;
    const kubectlServer = kubectlConfig(joined, 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}');
    expect(kubectlServer).toBe(sandbox.url);
    const kc = loadKubeConfig({ kubeconfig: joined });
    expect(kc.getCurrentCluster()?.server).toBe(kubectlServer);
    expect(kc.contexts.map((c) => c.name).sort()).toEqual(['other', 'sandbox']);
    expect(await medicPods(joined)).not.toEqual([]);
  });
});

async function waitForDiagnosis(medic: Awaited<ReturnType<typeof startTestMedic>>): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const records = await medic.store.list();
    const found = records.find((r) => r.kind === 'diagnosis');
    if (found?.diagnosis) return found.diagnosis.rootCause.code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no diagnosis recorded within 10 s');
}
