import { describe, expect, it } from 'vitest';
import type { WorkloadObject } from '../../src/kube/reader-api.js';
import { rolloutComplete } from '../../src/kube/rollouts.js';

const object = (spec: object, status: object, generation = 3) =>
  ({ metadata: { generation }, spec, status: { observedGeneration: 3, ...status } }) as WorkloadObject;

describe('rolloutComplete', () => {
  it('is true for a Deployment whose replicas are all updated and no old pod is left', () => {
    expect(rolloutComplete('Deployment', object({ replicas: 3 }, { replicas: 3, updatedReplicas: 3 }))).toBe(true);
    // A surge pod of the old revision still there, or a new pod still missing: not complete.
    expect(rolloutComplete('Deployment', object({ replicas: 3 }, { replicas: 4, updatedReplicas: 3 }))).toBe(false);
    expect(rolloutComplete('Deployment', object({ replicas: 3 }, { replicas: 3, updatedReplicas: 2 }))).toBe(false);
  });

  it('is false while the controller has not seen the latest spec', () => {
    expect(rolloutComplete('Deployment', object({ replicas: 3 }, { replicas: 3, updatedReplicas: 3 }, 4))).toBe(false);
  });

  it('reads a StatefulSet by its revisions and a DaemonSet by its updated pods', () => {
    expect(rolloutComplete('StatefulSet', object({}, { currentRevision: 'db-5c', updateRevision: 'db-5c' }))).toBe(
      true,
    );
    expect(rolloutComplete('StatefulSet', object({}, { currentRevision: 'db-5c', updateRevision: 'db-7f' }))).toBe(
      false,
    );
    expect(rolloutComplete('DaemonSet', object({}, { desiredNumberScheduled: 5, updatedNumberScheduled: 5 }))).toBe(
      true,
    );
    expect(rolloutComplete('DaemonSet', object({}, { desiredNumberScheduled: 5, updatedNumberScheduled: 4 }))).toBe(
      false,
    );
  });
});
