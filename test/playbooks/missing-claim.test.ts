/**
 * A pod that names a PersistentVolumeClaim that does not exist (test/scenarios/pod-claim-name-not-found-after-rollout):
 * UNKNOWN naming the claim and the revision that brought it, nothing proposed; Recreate is not called unsafe for a
 * template that mounts a claim. A pod Pending on a claim being deleted
 * (test/scenarios/statefulset-pod-pending-claim-being-deleted): what happens to the data.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pod-claim-name-not-found-after-rollout';
const diagnoseScenario = scenarioDiagnoser();

describe('a pod whose claim does not exist', () => {
  it('names the claim, the revision that brought it and the claim before, and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('names PersistentVolumeClaim metabase-data-v2, which does not exist');
    expect(d.rootCause.summary).toContain('Revision 7 brought the reference; revision 6 mounted metabase-data');
  });

  it('says a claim created since the scheduler tried exists now', async () => {
    const d = await diagnoseScenario(DIR, (objects) => [
      ...objects,
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'metabase-data-v2', namespace: 'analytics' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        status: { phase: 'Pending' },
      },
    ]);
    expect(d.rootCause.summary).toContain('waited for PersistentVolumeClaim metabase-data-v2, which exists now');
  });

  it('calls Recreate unsafe only for a template without a claim', async () => {
    const withoutClaim = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Deployment') o.spec.template.spec.volumes = [];
      }),
    );
    expect(withoutClaim.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(withoutClaim.rootCause.summary).toContain('strategy is Recreate');
  });
});

describe('a pod Pending on a claim being deleted', () => {
  const DELETING = 'test/scenarios/statefulset-pod-pending-claim-being-deleted';

  it('says the data goes with the claim under reclaim policy Delete, and how to keep it', async () => {
    const d = await diagnoseScenario(DELETING);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('PersistentVolumeClaim data-kafka-2 is being deleted');
    expect(d.rootCause.summary).toContain("set the volume's persistentVolumeReclaimPolicy to Retain now");
  });

  it('says the data stays when the volume is already Retain', async () => {
    const d = await diagnoseScenario(
      DELETING,
      eachObject((o) => {
        if (o.kind === 'PersistentVolume') o.spec.persistentVolumeReclaimPolicy = 'Retain';
      }),
    );
    expect(d.rootCause.summary).toContain('has reclaim policy Retain, so the data stays');
  });
});
