import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

let cluster: TestCluster;
const ns = 'ads';
const name = 'ad-server';

beforeAll(async () => {
  cluster = await startTestCluster({ scenario: 'oom-limit' });
});
afterAll(() => cluster.close());

const as = (type: PatchStrategy) => setHeaderOptions('Content-Type', type);

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = JSON.parse(error.body as string) as { reason: string; message: string };
    return { code: error.code, reason: body.reason, message: body.message };
  }
  throw new Error('expected the request to fail');
}

const readDeploy = () => cluster.apis.apps.readNamespacedDeployment({ namespace: ns, name });

describe('sandbox writes through @kubernetes/client-node', () => {
  it('merges a strategic patch into the named container and bumps generation and revision', async () => {
    const before = await readDeploy();
    const after = await cluster.apis.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name,
        body: {
          spec: {
            template: { spec: { containers: [{ name: 'ad-server', resources: { limits: { memory: '512Mi' } } }] } },
          },
        },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    const container = after.spec?.template.spec?.containers[0];
    expect(after.spec?.template.spec?.containers).toHaveLength(1);
    expect(container?.resources?.limits).toEqual({ cpu: '1', memory: '512Mi' });
    expect(container?.lifecycle?.preStop).toBeDefined();
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('15');
    expect(Number(after.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
    expect(after.status?.observedGeneration).toBe(after.metadata?.generation);
  });

  it('applies merge and JSON patches, and keeps metadata-only changes from bumping generation', async () => {
    const before = await readDeploy();
    const labelled = await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: ns, name, body: { metadata: { labels: { team: 'ads' } } } },
      as(PatchStrategy.MergePatch),
    );
    expect(labelled.metadata?.labels).toEqual({ app: 'ad-server', team: 'ads' });
    expect(labelled.metadata?.generation).toBe(before.metadata?.generation);
    const json = await cluster.apis.apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name,
        body: [{ op: 'replace', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 90 }],
      },
      as(PatchStrategy.JsonPatch),
    );
    expect(json.spec?.template.spec?.terminationGracePeriodSeconds).toBe(90);
    const failed = await statusOf(
      cluster.apis.apps.patchNamespacedDeployment(
        { namespace: ns, name, body: [{ op: 'test', path: '/spec/replicas', value: 99 }] },
        as(PatchStrategy.JsonPatch),
      ),
    );
    expect(failed).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('answers 415 for a patch type it does not accept, and changes nothing', async () => {
    const before = await readDeploy();
    const response = await fetch(`${cluster.sandbox.url}/apis/apps/v1/namespaces/${ns}/deployments/${name}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ spec: { replicas: 9 } }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { reason: string }).reason).toBe('UnsupportedMediaType');
    expect((await readDeploy()).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('refuses an invalid patch with 422 Invalid naming the field, and changes nothing', async () => {
    const before = await readDeploy();
    const result = await statusOf(
      cluster.apis.apps.patchNamespacedDeployment(
        {
          namespace: ns,
          name,
          body: {
            spec: {
              template: { spec: { containers: [{ name: 'ad-server', resources: { requests: { memory: '2Gi' } } }] } },
            },
          },
        },
        as(PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(result).toEqual({
      code: 422,
      reason: 'Invalid',
      message:
        'Deployment.apps "ad-server" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 512Mi',
    });
    const removed = await statusOf(
      cluster.apis.apps.patchNamespacedDeployment(
        { namespace: ns, name, body: [{ op: 'remove', path: '/spec/template/spec/containers/0/image' }] },
        as(PatchStrategy.JsonPatch),
      ),
    );
    expect(removed.message).toContain('spec.template.spec.containers[0].image: Required value');
    expect((await readDeploy()).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('validates a dry run and returns the result without storing it', async () => {
    const before = await readDeploy();
    const dry = await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: ns, name, dryRun: 'All', body: { spec: { replicas: 7 } } },
      as(PatchStrategy.MergePatch),
    );
    expect(dry.spec?.replicas).toBe(7);
    expect((await readDeploy()).spec?.replicas).toBe(before.spec?.replicas);
    const created = await cluster.apis.core.createNamespacedConfigMap({
      namespace: ns,
      dryRun: 'All',
      body: { metadata: { name: 'dry' }, data: { a: 'b' } },
    });
    expect(created.metadata?.name).toBe('dry');
    expect(await statusOf(cluster.apis.core.readNamespacedConfigMap({ namespace: ns, name: 'dry' }))).toMatchObject({
      code: 404,
    });
  });

  it('reads and writes the scale subresource of a Deployment and a StatefulSet', async () => {
    const scale = await cluster.apis.apps.readNamespacedDeploymentScale({ namespace: ns, name });
    expect(scale.status?.selector).toBe('app=ad-server');
    const replaced = await cluster.apis.apps.replaceNamespacedDeploymentScale({
      namespace: ns,
      name,
      body: { metadata: { name, namespace: ns }, spec: { replicas: 4 } },
    });
    expect(replaced.spec?.replicas).toBe(4);
    const patched = await cluster.apis.apps.patchNamespacedDeploymentScale(
      { namespace: ns, name, body: { spec: { replicas: 6 } } },
      as(PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(6);
    expect((await readDeploy()).spec?.replicas).toBe(6);
    const negative = await statusOf(
      cluster.apis.apps.patchNamespacedDeploymentScale(
        { namespace: ns, name, body: { spec: { replicas: -1 } } },
        as(PatchStrategy.MergePatch),
      ),
    );
    expect(negative).toMatchObject({ code: 422, reason: 'Invalid' });
    await cluster.apis.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 1,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
          },
        },
      },
    });
    const sts = await cluster.apis.apps.replaceNamespacedStatefulSetScale({
      namespace: ns,
      name: 'db',
      body: { metadata: { name: 'db' }, spec: { replicas: 3 } },
    });
    expect(sts.spec?.replicas).toBe(3);
    expect((await cluster.apis.apps.readNamespacedStatefulSet({ namespace: ns, name: 'db' })).spec?.replicas).toBe(3);
  });

  it('rejects a replace with a stale resourceVersion with 409 Conflict', async () => {
    const current = await readDeploy();
    await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: ns, name, body: { metadata: { labels: { bump: '1' } } } },
      as(PatchStrategy.MergePatch),
    );
    const result = await statusOf(
      cluster.apis.apps.replaceNamespacedDeployment({ namespace: ns, name, body: current }),
    );
    expect(result).toEqual({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "ad-server": the object has been modified; please apply your changes to the latest version and try again',
    });
    const fresh = await readDeploy();
    const replaced = await cluster.apis.apps.replaceNamespacedDeployment({ namespace: ns, name, body: fresh });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(fresh.metadata?.resourceVersion));
  });

  it('creates events, refuses duplicates, and deletes pods', async () => {
    const event = await cluster.apis.core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { generateName: 'medic-' },
        involvedObject: { kind: 'Deployment', name, namespace: ns },
        reason: 'MedicRemediation',
        message: 'scaled by medic',
        type: 'Normal',
      },
    });
    expect(event.metadata?.name).toMatch(/^medic-[0-9a-f]{5}$/);
    const found = await cluster.apis.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'reason=MedicRemediation',
    });
    expect(found.items).toHaveLength(1);
    const again = await statusOf(
      cluster.apis.core.createNamespacedEvent({
        namespace: ns,
        body: { ...event, metadata: { name: event.metadata?.name } },
      }),
    );
    expect(again).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const wrongNs = await statusOf(
      cluster.apis.core.createNamespacedEvent({
        namespace: ns,
        body: { ...event, metadata: { name: 'x', namespace: 'other' } },
      }),
    );
    expect(wrongNs.code).toBe(400);
    const pods = await cluster.apis.core.listNamespacedPod({ namespace: ns });
    const pod = pods.items[0]?.metadata?.name ?? '';
    await cluster.apis.core.deleteNamespacedPod({ namespace: ns, name: pod });
    expect(await statusOf(cluster.apis.core.readNamespacedPod({ namespace: ns, name: pod }))).toMatchObject({
      code: 404,
    });
    expect(await statusOf(cluster.apis.core.deleteNamespacedPod({ namespace: ns, name: pod }))).toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('cordons a node with a strategic patch, adding the unschedulable taint', async () => {
    const node = (await cluster.apis.core.listNode()).items[0]?.metadata?.name ?? '';
    const cordoned = await cluster.apis.core.patchNode(
      { name: node, body: { spec: { unschedulable: true } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(cordoned.spec?.unschedulable).toBe(true);
    expect(cordoned.spec?.taints).toContainEqual(
      expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    );
    const listed = await cluster.apis.core.listNode({ fieldSelector: 'spec.unschedulable=true' });
    expect(listed.items.map((n) => n.metadata?.name)).toEqual([node]);
    const uncordoned = await cluster.apis.core.patchNode(
      { name: node, body: { spec: { unschedulable: null } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    expect(uncordoned.spec?.taints).toBeUndefined();
  });

  it('deletes the ReplicaSets and pods a deleted Deployment owns', async () => {
    await cluster.apis.apps.deleteNamespacedDeployment({ namespace: ns, name });
    expect((await cluster.apis.apps.listNamespacedReplicaSet({ namespace: ns })).items).toEqual([]);
    expect((await cluster.apis.core.listNamespacedPod({ namespace: ns })).items).toEqual([]);
  });
});
