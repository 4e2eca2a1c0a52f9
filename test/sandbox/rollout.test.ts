/**
 * The sandbox's Deployment rollout: a changed pod template replaces the pods with Running, Ready pods of the new
 * template (new ReplicaSet, old ones scaled to zero, old pods gone, no restarts, no OOM-killed last state), and a
 * template put back (rollout undo) runs on the ReplicaSet that already has it, as Kubernetes does.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

let cluster: TestCluster;
afterEach(() => cluster?.close());

const ns = 'ads';
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function setMemoryLimit(limit: string) {
  const containers = [{ name: 'ad-server', resources: { limits: { memory: limit } } }];
  return cluster.apis.apps.patchNamespacedDeployment(
    { namespace: ns, name: 'ad-server', body: { spec: { template: { spec: { containers } } } } },
    strategic,
  );
}

async function state() {
  const replicaSets = (await cluster.apis.apps.listNamespacedReplicaSet({ namespace: ns })).items;
  const pods = (await cluster.apis.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=ad-server' })).items;
  return {
    replicaSets: replicaSets.map((rs) => ({
      name: rs.metadata?.name,
      revision: rs.metadata?.annotations?.['deployment.kubernetes.io/revision'],
      replicas: rs.spec?.replicas,
      memory: rs.spec?.template?.spec?.containers[0]?.resources?.limits?.memory,
    })),
    pods: pods.map((p) => ({
      owner: p.metadata?.ownerReferences?.[0]?.name,
      memory: p.spec?.containers[0]?.resources?.limits?.memory,
      phase: p.status?.phase,
      ready: p.status?.conditions?.find((c) => c.type === 'Ready')?.status,
      restarts: p.status?.containerStatuses?.[0]?.restartCount,
      lastState: p.status?.containerStatuses?.[0]?.lastState,
      running: p.status?.containerStatuses?.[0]?.state?.running !== undefined,
      hash: p.metadata?.labels?.['pod-template-hash'],
    })),
  };
}

describe('a Deployment whose pod template changes', () => {
  it('replaces its pods with Ready pods of the new template on a new ReplicaSet', async () => {
    cluster = await startTestCluster({ scenario: 'oom-limit' });
    const before = await state();
    expect(before.pods.map((p) => p.restarts).sort()).toEqual([0, 6]);
    const deployment = await setMemoryLimit('512Mi');
    const after = await state();
    const revision = deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    expect(revision).toBe('15');
    const created = after.replicaSets.find((rs) => rs.name !== 'ad-server-7c9d8f6b5');
    expect(created).toMatchObject({ revision: '15', replicas: 2, memory: '512Mi' });
    expect(created?.name).toMatch(/^ad-server-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(after.replicaSets.find((rs) => rs.name === 'ad-server-7c9d8f6b5')).toMatchObject({ replicas: 0 });
    const fresh = {
      owner: created?.name,
      memory: '512Mi',
      phase: 'Running',
      ready: 'True',
      restarts: 0,
      lastState: undefined,
      running: true,
      hash: created?.name?.slice('ad-server-'.length),
    };
    expect(after.pods).toEqual([fresh, fresh]);
    expect(deployment.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('puts a previous template back on the ReplicaSet that has it, with the new revision', async () => {
    cluster = await startTestCluster({ scenario: 'oom-limit' });
    await setMemoryLimit('512Mi');
    const first = (await state()).pods[0]?.owner;
    await setMemoryLimit('1Gi');
    await setMemoryLimit('512Mi');
    const after = await state();
    expect(after.replicaSets.find((rs) => rs.name === first)).toMatchObject({
      revision: '17',
      replicas: 2,
      memory: '512Mi',
    });
    expect(after.replicaSets.filter((rs) => rs.replicas === 0).map((rs) => rs.memory)).toEqual(['256Mi', '1Gi']);
    expect(after.pods.map((p) => [p.owner, p.memory, p.restarts])).toEqual([
      [first, '512Mi', 0],
      [first, '512Mi', 0],
    ]);
  });

  it('a change outside the template (replicas, labels) keeps the pods', async () => {
    cluster = await startTestCluster({ scenario: 'oom-limit' });
    await cluster.apis.apps.patchNamespacedDeployment(
      { namespace: ns, name: 'ad-server', body: { metadata: { labels: { team: 'ads' } }, spec: { replicas: 3 } } },
      strategic,
    );
    expect((await state()).pods.map((p) => p.restarts).sort()).toEqual([0, 6]);
  });
});
