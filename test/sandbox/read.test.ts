import { readFileSync } from 'node:fs';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/sandbox/index.js';
import { scenarioCluster, startTestCluster, type TestCluster } from '../support/sandbox.js';

let cluster: TestCluster;

const extra = [
  {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', namespace: 'prod', labels: { size: 'big' } },
  },
  { apiVersion: 'example.com/v1', kind: 'Gateway', metadata: { name: 'g1' } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'creating', namespace: 'prod', labels: { app: 'other', tier: 'web' } },
    spec: { containers: [{ name: 'app', image: 'x' }] },
    status: {
      phase: 'Pending',
      containerStatuses: [{ name: 'app', restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
    },
  },
];

beforeAll(async () => {
  const path = scenarioCluster('consul-sidecar-churn');
  cluster = await startTestCluster({ objects: [...loadSnapshot(readFileSync(path, 'utf8'), path), ...extra] });
});
afterAll(() => cluster.close());

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = JSON.parse(error.body as string) as { reason: string; message: string; kind: string };
    expect(body.kind).toBe('Status');
    return { code: error.code, reason: body.reason, message: body.message };
  }
  throw new Error('expected the request to fail');
}

async function raw(path: string): Promise<Response> {
  return fetch(`${cluster.sandbox.url}${path}`);
}

describe('sandbox reads through @kubernetes/client-node', () => {
  it('gets a pod and answers a missing one with the API server NotFound status', async () => {
    const pod = await cluster.apis.core.readNamespacedPod({ namespace: 'prod', name: 'proxy-6d5f8b7c9-4kq9z' });
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['proxy', 'consul-client']);
    expect(await statusOf(cluster.apis.core.readNamespacedPod({ namespace: 'prod', name: 'gone' }))).toEqual({
      code: 404,
      reason: 'NotFound',
      message: 'pods "gone" not found',
    });
    const deploy = await statusOf(cluster.apis.apps.readNamespacedDeployment({ namespace: 'prod', name: 'nope' }));
    expect(deploy.message).toBe('deployments.apps "nope" not found');
  });

  it('lists across all namespaces, within one, and cluster-scoped nodes', async () => {
    const all = await cluster.apis.core.listPodForAllNamespaces();
    const prod = await cluster.apis.core.listNamespacedPod({ namespace: 'prod' });
    const none = await cluster.apis.core.listNamespacedPod({ namespace: 'elsewhere' });
    expect(all.items.length).toBe(6);
    expect(prod.items.length).toBe(6);
    expect(none.items).toEqual([]);
    expect(Number(all.metadata?.resourceVersion)).toBeGreaterThan(0);
    const nodes = await cluster.apis.core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
    const first = nodes.items[0]?.metadata?.name ?? '';
    expect((await cluster.apis.core.readNode({ name: first })).metadata?.name).toBe(first);
    const namespaces = await cluster.apis.core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('prod');
  });

  it('filters by equality and set-based label selectors', async () => {
    const names = async (labelSelector: string) =>
      (await cluster.apis.core.listNamespacedPod({ namespace: 'prod', labelSelector })).items.map(
        (p) => p.metadata?.name,
      );
    expect(await names('app=proxy')).toHaveLength(3);
    expect(await names('app==stream')).toHaveLength(2);
    expect(await names('app!=proxy')).toHaveLength(3);
    expect(await names('app in (proxy,stream)')).toHaveLength(5);
    expect(await names('app notin (proxy,stream)')).toEqual(['creating']);
    expect(await names('tier')).toEqual(['creating']);
    expect(await names('!tier,app=other')).toEqual([]);
    expect(await names('app=other,tier=web')).toEqual(['creating']);
    const bad = await statusOf(
      cluster.apis.core.listNamespacedPod({ namespace: 'prod', labelSelector: 'app in proxy' }),
    );
    expect(bad.code).toBe(400);
    expect(bad.message).toContain('unable to parse requirement');
  });

  it('filters by field selectors and refuses unsupported fields', async () => {
    const pods = await cluster.apis.core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Pending' });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(['creating']);
    const notPending = await cluster.apis.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Pending' });
    expect(notPending.items).toHaveLength(5);
    const node = (await cluster.apis.core.readNamespacedPod({ namespace: 'prod', name: 'proxy-6d5f8b7c9-4kq9z' })).spec
      ?.nodeName;
    const onNode = await cluster.apis.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
    expect(onNode.items.every((p) => p.spec?.nodeName === node)).toBe(true);
    expect(onNode.items.length).toBeGreaterThan(0);
    const events = await cluster.apis.core.listNamespacedEvent({
      namespace: 'prod',
      fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=proxy-6d5f8b7c9-4kq9z',
    });
    expect(events.items.length).toBeGreaterThan(0);
    expect(events.items.every((e) => e.involvedObject.name === 'proxy-6d5f8b7c9-4kq9z')).toBe(true);
    const byName = await cluster.apis.core.listNamespacedPod({
      namespace: 'prod',
      fieldSelector: 'metadata.name==creating',
    });
    expect(byName.items).toHaveLength(1);
    expect(await statusOf(cluster.apis.core.listPodForAllNamespaces({ fieldSelector: 'spec.image=x' }))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: spec.image',
    });
  });

  it('pages a list with limit and continue', async () => {
    const first = await cluster.apis.core.listPodForAllNamespaces({ limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.metadata?.remainingItemCount).toBe(2);
    const second = await cluster.apis.core.listPodForAllNamespaces({
      limit: 4,
      _continue: first.metadata?._continue ?? '',
    });
    expect(second.items).toHaveLength(2);
    expect(second.metadata?._continue).toBeUndefined();
    const names = [...first.items, ...second.items].map((p) => p.metadata?.name);
    expect(new Set(names).size).toBe(6);
  });

  it('serves current and previous container logs with tailLines, and the real 400s', async () => {
    const pod = { namespace: 'prod', name: 'proxy-6d5f8b7c9-4kq9z' };
    const previous = await cluster.apis.core.readNamespacedPodLog({
      ...pod,
      container: 'consul-client',
      previous: true,
    });
    expect(previous).toContain('agent: Synced service');
    const current = await cluster.apis.core.readNamespacedPodLog({ ...pod, container: 'proxy' });
    expect(current).toContain('deregistered from consul');
    const tail = await cluster.apis.core.readNamespacedPodLog({ ...pod, container: 'proxy', tailLines: 1 });
    expect(tail).toBe('2026-11-20T09:38:41Z ERROR registry: deregistered from consul, serving without registration\n');
    expect(await statusOf(cluster.apis.core.readNamespacedPodLog({ ...pod, container: 'nope' }))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: 'container nope is not valid for pod proxy-6d5f8b7c9-4kq9z',
    });
    expect(
      (await statusOf(cluster.apis.core.readNamespacedPodLog({ ...pod, container: 'proxy', previous: true }))).message,
    ).toBe('previous terminated container "proxy" in pod "proxy-6d5f8b7c9-4kq9z" not found');
    expect((await statusOf(cluster.apis.core.readNamespacedPodLog(pod))).message).toBe(
      'a container name must be specified for pod proxy-6d5f8b7c9-4kq9z, choose one of: [proxy consul-client]',
    );
    expect(
      (await statusOf(cluster.apis.core.readNamespacedPodLog({ namespace: 'prod', name: 'creating' }))).message,
    ).toBe('container "app" in pod "creating" is waiting to start: ContainerCreating');
  });

  it('serves PodMetrics and NodeMetrics under metrics.k8s.io', async () => {
    const list = (await (await raw('/apis/metrics.k8s.io/v1beta1/namespaces/prod/pods')).json()) as {
      kind: string;
      items: { metadata: { name: string }; containers: { name: string; usage: { memory: string } }[] }[];
    };
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items.length).toBeGreaterThan(0);
    const one = await raw(`/apis/metrics.k8s.io/v1beta1/namespaces/prod/pods/${list.items[0]?.metadata.name}`);
    expect(((await one.json()) as { kind: string }).kind).toBe('PodMetrics');
    const nodes = await raw('/apis/metrics.k8s.io/v1beta1/nodes');
    expect(((await nodes.json()) as { kind: string }).kind).toBe('NodeMetricsList');
    const write = await fetch(`${cluster.sandbox.url}/apis/metrics.k8s.io/v1beta1/namespaces/prod/pods/x`, {
      method: 'DELETE',
    });
    expect(write.status).toBe(405);
  });

  it('serves unknown kinds generically by apiVersion and plural', async () => {
    const widgets = (await (
      await raw('/apis/example.com/v1/namespaces/prod/widgets?labelSelector=size%3Dbig')
    ).json()) as {
      kind: string;
      items: unknown[];
    };
    expect(widgets).toMatchObject({ kind: 'WidgetList', items: [{ metadata: { name: 'w1' } }] });
    expect((await raw('/apis/example.com/v1/gateways/g1')).status).toBe(200);
    const missing = await raw('/apis/example.com/v1/gateways/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe('gateways.example.com "nope" not found');
  });

  it('answers discovery for core, built-in and snapshot groups', async () => {
    const api = (await (await raw('/api')).json()) as { versions: string[] };
    expect(api.versions).toEqual(['v1']);
    const apis = (await (await raw('/apis')).json()) as {
      groups: { name: string; preferredVersion: { version: string } }[];
    };
    const groups = Object.fromEntries(apis.groups.map((g) => [g.name, g.preferredVersion.version]));
    expect(groups).toMatchObject({
      apps: 'v1',
      batch: 'v1',
      autoscaling: 'v2',
      policy: 'v1',
      'rbac.authorization.k8s.io': 'v1',
      'metrics.k8s.io': 'v1beta1',
      'example.com': 'v1',
    });
    const apps = (await (await raw('/apis/apps/v1')).json()) as { resources: { name: string; kind: string }[] };
    expect(apps.resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', kind: 'Scale' }));
    expect((await raw('/apis/nothing.io/v1')).status).toBe(404);
    expect((await raw('/api/v1/namespaces/prod/nodes')).status).toBe(404);
    expect(((await (await raw('/version')).json()) as { major: string }).major).toBe('1');
  });

  it('counts requests by method and path', async () => {
    await cluster.apis.core.readNamespacedPod({ namespace: 'prod', name: 'creating' });
    const log = cluster.sandbox.requests();
    expect(log.count('GET', '/api/v1/namespaces/prod/pods/creating')).toBeGreaterThanOrEqual(1);
    expect(log.count('GET', /\/pods\//)).toBeGreaterThanOrEqual(1);
    expect(log.total).toBeGreaterThan(10);
  });
});
