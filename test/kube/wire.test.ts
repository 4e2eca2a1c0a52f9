import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/errors.js';
import { createKubeApis, type KubeRequestInfo, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { apiPath } from '../../src/kube/wire.js';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'api-1', namespace: 'ads', creationTimestamp: '2026-12-06T03:00:00Z', uid: 'u1' },
  spec: { containers: [{ name: 'api', image: 'api:1' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'api',
        ready: true,
        restartCount: 1,
        image: 'api:1',
        imageID: '',
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-12-06T03:04:05Z' } },
      },
    ],
  },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An API server that records every request and answers with `answer(request)`. */
async function recordingServer(answer: (seen: Seen) => { status: number; body: string | Buffer; gzip?: boolean }) {
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(request);
      if (request.url.includes('/slow')) return;
      const { status, body, gzip } = answer(request);
      const payload = gzip ? gzipSync(body) : body;
      res.writeHead(status, {
        'Content-Type': 'application/json',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        'Content-Length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open = server;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections: () => connections };
}

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((resolve) => open?.close(resolve) ?? resolve(undefined));
  open = undefined;
});

describe("Medic's Kubernetes requests (src/kube/wire.ts)", () => {
  it('escapes every name as one path segment: a label cannot walk to another resource', () => {
    expect(apiPath`/api/v1/namespaces/${'ads'}/pods/${'../../secrets/x'}`).toBe(
      '/api/v1/namespaces/ads/pods/..%2F..%2Fsecrets%2Fx',
    );
    expect(apiPath`/api/v1/nodes`).toBe('/api/v1/nodes');
  });

  it('answers with the JSON as sent: timestamps stay strings, fields client-node does not model are kept', async () => {
    const server = await recordingServer(() => ({
      status: 200,
      body: JSON.stringify({ ...POD, metadata: { ...POD.metadata, future: 'x' } }),
    }));
    const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: server.url })), { cacheTtlMs: 0 });
    const pod = await reader.getPod('ads', 'api-1');
    expect(pod?.metadata?.creationTimestamp).toBe('2026-12-06T03:00:00Z');
    expect(pod?.status?.containerStatuses?.[0]?.lastState?.terminated?.finishedAt).toBe('2026-12-06T03:04:05Z');
    expect(pod?.metadata).toHaveProperty('future', 'x');
    expect(server.seen[0]).toMatchObject({ method: 'GET', url: '/api/v1/namespaces/ads/pods/api-1' });
    expect(server.seen[0]?.headers.accept).toBe('application/json');
  });

  it('asks for gzip as kubectl does and reads a compressed answer', async () => {
    const list = {
      kind: 'PodList',
      items: Array.from({ length: 50 }, (_, i) => ({ ...POD, metadata: { name: `p${i}` } })),
    };
    const server = await recordingServer(() => ({ status: 200, body: JSON.stringify(list), gzip: true }));
    const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: server.url })), { cacheTtlMs: 0 });
    const pods = await reader.listPods('ads', 'app=api');
    expect(pods.map((p) => p.metadata?.name)).toHaveLength(50);
    expect(server.seen[0]?.headers['accept-encoding']).toBe('gzip');
    expect(server.seen[0]?.url).toBe('/api/v1/namespaces/ads/pods?labelSelector=app%3Dapi');
  });

  it("keeps a refusal's status and the API server's reason, and reports each request once to onRequest", async () => {
    const status = {
      kind: 'Status',
      status: 'Failure',
      message: 'pods "api-1" is forbidden: User cannot get',
      code: 403,
    };
    const server = await recordingServer(() => ({ status: 403, body: JSON.stringify(status) }));
    const reported: KubeRequestInfo[] = [];
    const apis = createKubeApis(loadKubeConfig({ server: server.url }), { onRequest: (i) => reported.push(i) });
    const error = await createClusterReader(apis, { cacheTtlMs: 0 })
      .getPod('ads', 'api-1')
      .catch((e: unknown) => e);
    expect(isMedicError(error) && error.code).toBe('FORBIDDEN');
    expect((error as Error).message).toContain('pods "api-1" is forbidden');
    expect((error as { status?: number }).status).toBe(403);
    expect(reported).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/ads/pods/api-1', status: 403 }),
    ]);
  });

  it('says so when a 200 answer is not JSON (a proxy login page), as a failure to retry, not as an unreachable server', async () => {
    const server = await recordingServer(() => ({
      status: 200,
      body: '<html><body>Sign in to continue</body></html>',
    }));
    const error = await createClusterReader(createKubeApis(loadKubeConfig({ server: server.url })), { cacheTtlMs: 0 })
      .getPod('ads', 'api-1')
      .catch((e: unknown) => e);
    expect(isMedicError(error) && error.code).toBe('KUBE_API');
    expect((error as Error).message).toBe(
      'Kubernetes API answered GET /api/v1/namespaces/ads/pods/api-1 with HTTP 200 but not JSON: "<html><body>Sign in to continue</body></html>"',
    );
    expect(isMedicError(error) && error.permanent).toBe(false);
  });

  it('sends a change as JSON with its patch type and query, and reuses one connection', async () => {
    const server = await recordingServer((r) => ({ status: 200, body: r.method === 'PATCH' ? r.body : '{}' }));
    const apis = createKubeApis(loadKubeConfig({ server: server.url }));
    for (let i = 0; i < 5; i += 1) {
      await apis.send({
        method: 'PATCH',
        path: '/api/v1/nodes/n1',
        query: { fieldManager: 'medic', dryRun: 'All' },
        body: { spec: { unschedulable: true } },
        contentType: 'application/merge-patch+json',
      });
    }
    const patch = server.seen[0];
    expect(patch?.url).toBe('/api/v1/nodes/n1?fieldManager=medic&dryRun=All');
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({ spec: { unschedulable: true } });
    expect(server.connections()).toBe(1);
  });

  it('gives up on a request at its timeout as an unreachable API server, and the next one still goes through', async () => {
    const server = await recordingServer(() => ({ status: 200, body: JSON.stringify(POD) }));
    const apis = createKubeApis(loadKubeConfig({ server: server.url }), { timeoutMs: 200 });
    const error = await apis.send({ path: '/api/v1/namespaces/slow/pods' }).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/AbortError|TimeoutError/);
    await expect(apis.send({ path: '/api/v1/namespaces/ads/pods/api-1' })).resolves.toMatchObject({ kind: 'Pod' });
  });
});
