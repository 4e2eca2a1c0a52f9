import { describe, expect, it } from 'vitest';
import { heldByStrategy, statefulSetRolloutStuck } from '../../src/diagnosis/update-strategy.js';
import type { Pod, Workload } from '../../src/kube/reader.js';

const pod = (name: string, revision: string) =>
  ({ metadata: { name, namespace: 'db', labels: { 'controller-revision-hash': revision } } }) as Pod;
const PODS = [pod('pg-0', 'pg-old'), pod('pg-1', 'pg-old'), pod('pg-2', 'pg-new')];

function sts(updateStrategy: object, updatedReplicas = 1): Workload {
  return {
    kind: 'StatefulSet',
    name: 'pg',
    namespace: 'db',
    object: {
      metadata: { name: 'pg', namespace: 'db' },
      spec: { replicas: 3, updateStrategy },
      status: { currentRevision: 'pg-old', updateRevision: 'pg-new', updatedReplicas, replicas: 3 },
    },
  } as unknown as Workload;
}

describe('a rollout its update strategy holds', () => {
  it('says OnDelete waits for pods to be deleted, naming the old ones', () => {
    const held = heldByStrategy(sts({ type: 'OnDelete' }), PODS);
    expect(held?.summary).toContain('uses updateStrategy OnDelete');
    expect(held?.summary).toContain(
      '1 of 3 pod(s) run the new revision pg-new; the others still run pg-old (pg-0, pg-1)',
    );
  });

  it('says a partition keeps the lower ordinals by design', () => {
    const held = heldByStrategy(sts({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } }), PODS);
    expect(held?.summary).toContain('partition 2 updates only pods with ordinal 2 and above');
    expect(held?.summary).toContain('Lower the partition');
  });

  it('finds nothing for a plain rolling update or a finished one', () => {
    expect(heldByStrategy(sts({ type: 'RollingUpdate' }), PODS)).toBeNull();
    expect(heldByStrategy(sts({ type: 'OnDelete' }, 3), PODS)).toBeNull();
  });

  it('says an OnDelete DaemonSet keeps older pods until they are deleted', () => {
    const ds = {
      kind: 'DaemonSet',
      name: 'agent',
      namespace: 'kube-system',
      object: {
        metadata: { name: 'agent' },
        spec: { updateStrategy: { type: 'OnDelete' } },
        status: { desiredNumberScheduled: 5, updatedNumberScheduled: 2 },
      },
    } as unknown as Workload;
    expect(heldByStrategy(ds, [])?.summary).toContain('3 of 5 pod(s) still run an older one');
  });
});

describe('a StatefulSet rolling update stuck on a failing pod', () => {
  it('tells to revert the template and delete the pod by hand', () => {
    const words = statefulSetRolloutStuck(sts({ type: 'RollingUpdate' }), [PODS[2] as Pod]);
    expect(words).toContain("StatefulSet pg's new revision pg-new (1 of 3 pod(s) updated, the others on pg-old)");
    expect(words).toContain('then delete pg-2 yourself');
  });

  it('says nothing when the failing pod runs the current revision', () => {
    expect(statefulSetRolloutStuck(sts({ type: 'RollingUpdate' }), [PODS[0] as Pod])).toBeNull();
  });
});
