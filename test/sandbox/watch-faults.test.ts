import { ApiException, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/sandbox/index.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ scenario: 'oom-limit' }, { timeoutMs: 2000 });
});
afterAll(() => cluster.close());

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Seen {
  type: string;
  name: string;
}

/** Starts a watch and resolves once `count` events arrived. */
async function watchFor(path: string, query: Record<string, string | number | boolean | undefined>, count: number) {
  const seen: Seen[] = [];
  let resolve: (events: Seen[]) => void = () => {};
  const done = new Promise<Seen[]>((r) => {
    resolve = r;
  });
  const controller = await new Watch(cluster.apis.config).watch(
    path,
    query,
    (type, object: { metadata: { name: string } }) => {
      seen.push({ type, name: object.metadata.name });
      if (seen.length === count) resolve(seen);
    },
    () => resolve(seen),
  );
  return { done, stop: () => controller.abort() };
}

describe('sandbox watch', () => {
  it('sends ADDED for existing objects, then live MODIFIED and DELETED events', async () => {
    const [pod] = (await cluster.apis.core.listNamespacedPod({ namespace: 'ads' })).items;
    const name = pod?.metadata?.name ?? '';
    const w = await watchFor('/api/v1/namespaces/ads/pods', { fieldSelector: `metadata.name=${name}` }, 3);
    await cluster.apis.core.patchNamespacedPod(
      { namespace: 'ads', name, body: { metadata: { labels: { seen: 'yes' } } } },
      merge,
    );
    await cluster.apis.core.deleteNamespacedPod({ namespace: 'ads', name });
    expect(await w.done).toEqual([
      { type: 'ADDED', name },
      { type: 'MODIFIED', name },
      { type: 'DELETED', name },
    ]);
    w.stop();
  });

  it('resumes from a resourceVersion and tells selector watchers when an object leaves the selection', async () => {
    const list = await cluster.apis.apps.listNamespacedDeployment({ namespace: 'ads' });
    await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: 'ads', name: 'ad-server', body: { metadata: { labels: { tier: 'gold' } } } },
      merge,
    );
    const w = await watchFor(
      '/apis/apps/v1/namespaces/ads/deployments',
      { resourceVersion: list.metadata?.resourceVersion, labelSelector: 'tier=gold' },
      2,
    );
    await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: 'ads', name: 'ad-server', body: { metadata: { labels: { tier: 'silver' } } } },
      merge,
    );
    expect(await w.done).toEqual([
      { type: 'ADDED', name: 'ad-server' },
      { type: 'DELETED', name: 'ad-server' },
    ]);
    w.stop();
  });

  it('ends the watch after timeoutSeconds', async () => {
    const w = await watchFor('/api/v1/nodes', { timeoutSeconds: 1 }, 1000);
    const started = Date.now();
    const events = await w.done;
    expect(events.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('emits store changes for the demo console', async () => {
    const changes: ChangeEvent[] = [];
    const listener = (event: ChangeEvent) => changes.push(event);
    cluster.sandbox.store.on('change', listener);
    await cluster.apis.core.patchNode(
      { name: '10.9.20.11', body: { metadata: { labels: { watched: 'true' } } } },
      merge,
    );
    cluster.sandbox.store.off('change', listener);
    expect(changes.map((c) => [c.type, c.object.kind, c.object.metadata.name])).toEqual([
      ['MODIFIED', 'Node', '10.9.20.11'],
    ]);
    expect(cluster.sandbox.store.get('v1', 'Node', undefined, '10.9.20.11')?.metadata.labels?.watched).toBe('true');
  });
});

describe('sandbox fault injection', () => {
  afterAll(() => cluster.sandbox.setFaults([]));

  it('answers matching requests with the injected status and leaves others alone', async () => {
    cluster.sandbox.setFaults([{ path: '/pods$', method: 'GET', status: 503 }]);
    const error = await cluster.apis.core.listNamespacedPod({ namespace: 'ads' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(503);
    expect(JSON.parse((error as ApiException<string>).body).reason).toBe('ServiceUnavailable');
    expect((await cluster.apis.core.listNode()).items.length).toBeGreaterThan(0);
  });

  it('fails about the given share of requests', async () => {
    cluster.sandbox.setFaults([{ path: '/nodes', status: 500, probability: 0.5 }]);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => fetch(`${cluster.sandbox.url}/api/v1/nodes`).then((r) => r.status)),
    );
    const failed = results.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(25);
    expect(failed).toBeLessThan(75);
    expect(results.every((s) => s === 200 || s === 500)).toBe(true);
  });

  it('adds latency and hangs until the client gives up', async () => {
    cluster.sandbox.setFaults([
      { path: '/nodes$', latencyMs: 150 },
      { path: '/namespaces/ads/pods$', hang: true, maxHangMs: 10_000 },
    ]);
    const started = performance.now();
    await cluster.apis.core.listNode();
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    const hungAt = performance.now();
    const error = await cluster.apis.core
      .listNamespacedPod({ namespace: 'ads' }, cluster.apis.callOptions())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(performance.now() - hungAt).toBeGreaterThanOrEqual(1900);
    expect(performance.now() - hungAt).toBeLessThan(5000);
  });

  it('refuses malformed fault rules', () => {
    expect(() => cluster.sandbox.setFaults([{ status: 500, probability: 2 }])).toThrow(
      'faults[0].probability must be between 0 and 1',
    );
    expect(() => cluster.sandbox.setFaults([{ path: '(', status: 500 }])).toThrow(
      /faults\[0\]\.path is not a regular expression/,
    );
  });
});
