/** Nodes: read in pages, kept without the parts no playbook reads (their image list, managedFields), alike by GET and list. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader, LIST_CHUNK } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const node = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    labels: { 'topology.kubernetes.io/zone': 'eu-west-1a' },
    managedFields: [
      { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} },
    ],
  },
  spec: { unschedulable: false },
  status: {
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
    images: Array.from({ length: 50 }, (_, i) => ({ names: [`registry/image-${i}:1.0.0`], sizeBytes: 1e8 })),
  },
});

const MANY = LIST_CHUNK * 2 + 1;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ objects: Array.from({ length: MANY }, (_, i) => node(`node-${i}`)) });
});
afterAll(() => sandbox.close());

const reader = () => createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url }))).scoped();

it('lists every node in pages of the kubectl chunk size, without images and managedFields', async () => {
  const before = sandbox.requests().count('GET', '/api/v1/nodes');
  const nodes = await reader().listNodes();
  expect(nodes).toHaveLength(MANY);
  expect(sandbox.requests().count('GET', '/api/v1/nodes') - before).toBe(3);
  const [first] = nodes;
  expect(first?.status?.images).toBeUndefined();
  expect(first?.metadata?.managedFields).toBeUndefined();
  expect(first?.status?.allocatable).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
  expect(first?.metadata?.labels).toEqual({ 'topology.kubernetes.io/zone': 'eu-west-1a' });
});

it('gives a node the same shape whether a GET or the list answered it', async () => {
  const listed = reader();
  await listed.listNodes();
  const fromList = await listed.getNode('node-7');
  expect(listed.requestCount).toBe(1);
  const fetched = await createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 })
    .scoped()
    .getNode('node-7');
  // A list's items carry no apiVersion and kind (the API server's own list format); the rest is the same.
  const { metadata, spec, status } = fetched ?? {};
  expect(fromList).toMatchObject({ metadata, spec, status });
  expect(fetched?.status?.images).toBeUndefined();
  expect(fetched?.status?.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
});
