import { afterEach, describe, expect, it } from 'vitest';
import type { MedicError } from '../../src/errors.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'web:1', resources: { limits: { memory: '128Mi' } } }] },
    },
  },
};
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {} };

describe('cluster writer: every call through the real client, failures as MedicErrors', () => {
  let cluster: TestCluster;
  afterEach(async () => {
    await cluster?.close();
  });
  const start = async (timeoutMs?: number) => {
    cluster = await startTestCluster({ objects: [deployment, node] }, timeoutMs ? { timeoutMs } : {});
    return createClusterWriter(cluster.apis);
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e as MedicError,
    );
  const stored = () => cluster.sandbox.store.get('apps/v1', 'Deployment', 'shop', 'web') as typeof deployment;

  it('a missing object is a permanent NOT_FOUND naming it', async () => {
    const writer = await start();
    const error = await failure(writer.readWorkload('shop', 'Deployment', 'nope'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, permanent: true });
    expect(error.message).toMatch(/refused to read Deployment shop\/nope: .*not found.*\(HTTP 404\)/);
  });

  it.each([
    [403, 'FORBIDDEN', true],
    [422, 'BAD_REQUEST', true],
    [409, 'CONFLICT', true],
    [500, 'KUBE_API', false],
    [503, 'KUBE_API', false],
    [429, 'KUBE_API', false],
  ] as const)('HTTP %i from the API is %s, permanent: %s', async (status, code, permanent) => {
    const writer = await start();
    cluster.sandbox.setFaults([{ path: '/deployments/web$', status }]);
    const error = await failure(writer.readWorkload('shop', 'Deployment', 'web'));
    expect(error).toMatchObject({ code, status, permanent });
    expect(error.message).toContain('injected fault');
  });

  it('a hung API server is a transient failure after the client timeout', async () => {
    const writer = await start(300);
    cluster.sandbox.setFaults([{ hang: true, maxHangMs: 5000 }]);
    const started = performance.now();
    const error = await failure(writer.listNodes());
    expect(error).toMatchObject({ code: 'UNAVAILABLE', permanent: false });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('an unreachable API server is a transient failure', async () => {
    await start();
    const writer = createClusterWriter(createKubeApis(loadKubeConfig({ server: 'http://127.0.0.1:9' })));
    const error = await failure(writer.readNode('n1'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', permanent: false });
  });

  it('a dry-run patch returns the changed object and stores nothing; the real one stores it', async () => {
    const writer = await start();
    const patch = {
      spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '256Mi' } } }] } } },
    };
    const dry = await writer.patchWorkload('shop', 'Deployment', 'web', patch, 'strategic', { dryRun: true });
    expect(dry.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe('256Mi');
    expect(stored().spec.template.spec.containers[0]?.resources.limits.memory).toBe('128Mi');
    await writer.patchWorkload('shop', 'Deployment', 'web', patch, 'strategic', { dryRun: false });
    expect(stored().spec.template.spec.containers[0]?.resources.limits.memory).toBe('256Mi');
    expect(stored().spec.template.spec.containers[0]?.image).toBe('web:1');
  });

  it('scale subresource, JSON patch, node merge patch and a uid-guarded pod delete', async () => {
    const writer = await start();
    expect(await writer.patchScale('shop', 'Deployment', 'web', 4, { dryRun: false })).toBe(4);
    expect(stored().spec.replicas).toBe(4);
    await writer.patchWorkload(
      'shop',
      'Deployment',
      'web',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'web:2' }],
      'json',
      { dryRun: false },
    );
    expect(stored().spec.template.spec.containers[0]?.image).toBe('web:2');
    const cordoned = await writer.patchNode('n1', { spec: { unschedulable: true } }, { dryRun: false });
    expect(cordoned.spec?.unschedulable).toBe(true);
  });
});
