import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';

/** A minimal API server that answers every pod list with an empty list and counts TCP connections. */
async function countingServer(): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((request, response) => {
    if (request.url?.includes('/slow')) return; // never answers: for the abort test
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [] }));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
  };
}

let open: Server | undefined;
afterEach(async () => {
  open?.closeAllConnections();
  await new Promise((resolve) => open?.close(resolve) ?? resolve(undefined));
  open = undefined;
});

describe('Kubernetes client connections', () => {
  it('reuses connections across requests instead of opening one per call', async () => {
    const { server, url, connections } = await countingServer();
    open = server;
    const apis = createKubeApis(loadKubeConfig({ server: url }));
    for (let i = 0; i < 20; i += 1) {
      const list = await apis.core.listNamespacedPod({ namespace: 'ads' }, apis.callOptions());
      expect(list.items).toEqual([]);
    }
    await Promise.all(
      Array.from({ length: 10 }, () => apis.core.listNamespacedPod({ namespace: 'ads' }, apis.callOptions())),
    );
    // 30 requests: one connection for the sequential ones, at most 10 for the concurrent burst.
    expect(connections()).toBeLessThanOrEqual(10);
  });

  it('still aborts a request whose signal fires', async () => {
    const { server, url } = await countingServer();
    open = server;
    const apis = createKubeApis(loadKubeConfig({ server: url }), { timeoutMs: 200 });
    await expect(
      apis.core.listNamespacedPod({ namespace: 'slow' }, apis.callOptions(AbortSignal.timeout(50))),
    ).rejects.toThrow(/abort/i);
    // The connection pool still serves the next request.
    await expect(apis.core.listNamespacedPod({ namespace: 'ads' }, apis.callOptions())).resolves.toMatchObject({
      kind: 'PodList',
    });
  });
});
