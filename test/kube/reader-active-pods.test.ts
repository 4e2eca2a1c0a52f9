/** listActivePods: the pods that still hold node resources, from every namespace, in one request. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const pod = (namespace: string, name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'c' }] },
  status: { phase },
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    objects: [
      pod('shop', 'web-1', 'Running'),
      pod('shop', 'web-2', 'Pending'),
      pod('batch', 'report-done', 'Succeeded'),
      pod('batch', 'report-failed', 'Failed'),
      pod('kube-system', 'kube-proxy-x', 'Running'),
    ],
  });
});
afterAll(() => sandbox.close());

it('lists Running and Pending pods of every namespace, not finished ones, in one request', async () => {
  const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
  const scoped = reader.scoped();
  const pods = await scoped.listActivePods();
  expect(pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort()).toEqual([
    'kube-system/kube-proxy-x',
    'shop/web-1',
    'shop/web-2',
  ]);
  expect(scoped.requestCount).toBe(1);
});
