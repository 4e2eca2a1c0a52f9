/** listActivePods: the pods that still hold node resources, from every namespace, as their placements, in pages. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { podRequests } from '../../src/diagnosis/capacity.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader, LIST_CHUNK } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const pod = (namespace: string, name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    nodeName: 'n1',
    initContainers: [
      { name: 'proxy', image: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
    ],
    containers: [{ name: 'c', image: 'c', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
  },
  status: { phase, containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'c', imageID: 'x' }] },
});

/** More active pods than two pages hold. */
const MANY = LIST_CHUNK * 2 + 1;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    objects: [
      pod('shop', 'web-1', 'Running'),
      pod('shop', 'web-2', 'Pending'),
      pod('batch', 'report-done', 'Succeeded'),
      pod('batch', 'report-failed', 'Failed'),
      pod('kube-system', 'kube-proxy-x', 'Running'),
      ...Array.from({ length: MANY - 3 }, (_, i) => pod('fleet', `worker-${i}`, 'Running')),
    ],
  });
});
afterAll(() => sandbox.close());

it('lists Running and Pending pods of every namespace, not finished ones, in pages of the kubectl chunk size', async () => {
  const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
  const scoped = reader.scoped();
  const before = sandbox.requests().count('GET', '/api/v1/pods');
  const pods = await scoped.listActivePods();
  const names = pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  expect(names).toHaveLength(MANY);
  expect(names).toEqual(expect.arrayContaining(['kube-system/kube-proxy-x', 'shop/web-1', 'shop/web-2']));
  expect(names.filter((n) => n.startsWith('batch/'))).toEqual([]);
  expect(sandbox.requests().count('GET', '/api/v1/pods') - before).toBe(3);
  expect(scoped.requestCount).toBe(1);
});

it('keeps of each pod what it holds on its node, and never answers a GET of the pod with that', async () => {
  const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })));
  const scoped = reader.scoped();
  const web = (await scoped.listActivePods()).find((p) => p.metadata?.name === 'web-1');
  expect(web).toEqual({
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: {
      nodeName: 'n1',
      initContainers: [{ name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }],
      containers: [{ name: 'c', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    },
    status: { phase: 'Running' },
  });
  expect(podRequests(web?.spec)).toEqual({ cpu: 150, memory: 64 * 1024 * 1024 });
  const whole = await scoped.getPod('shop', 'web-1');
  expect(whole?.status?.containerStatuses?.[0]?.name).toBe('c');
  expect(scoped.requestCount).toBe(2);
});
