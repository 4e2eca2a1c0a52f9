/**
 * VOLUME_ATTACH_FAILURE from a Multi-Attach error (test/scenarios/multi-attach-rwo-rolling-update): the holder is
 * named, and a RollingUpdate Deployment on a ReadWriteOnce claim is told why its rollout cannot finish.
 */
import { describe, expect, it } from 'vitest';
import { multiAttachHolders, singleNodeClaim } from '../../src/diagnosis/volumes.js';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/multi-attach-rwo-rolling-update';
const HOLDER = 'kube-prometheus-stack-grafana-5b8c6d4a7-p9qrt';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

describe('the Multi-Attach event', () => {
  it('names the holders of the waiting pod namespace, without the count of other namespaces', () => {
    expect(
      multiAttachHolders(
        'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) web-1, web-2 and 1 pod(s) in different namespaces',
      ),
    ).toEqual(['web-1', 'web-2']);
    expect(
      multiAttachHolders(
        `Multi-Attach error for volume "pvc-1" Volume is already exclusively attached to one node and can't be attached to another`,
      ),
    ).toEqual([]);
    expect(multiAttachHolders('AttachVolume.Attach failed for volume "pvc-1" : rpc error')).toBeNull();
  });

  it('knows which claims one node at a time may attach', () => {
    expect(singleNodeClaim({ spec: { accessModes: ['ReadWriteOnce'] } })).toBe(true);
    expect(singleNodeClaim({ spec: { accessModes: ['ReadWriteOncePod'] } })).toBe(true);
    expect(singleNodeClaim({ spec: { accessModes: ['ReadWriteMany'] } })).toBe(false);
    expect(singleNodeClaim({ spec: {} })).toBe(false);
  });
});

describe('a pod that cannot attach a volume another pod holds', () => {
  it('explains a RollingUpdate Deployment on a ReadWriteOnce claim and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_ATTACH_FAILURE');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(`RollingUpdate starts the new pod before the old pod ${HOLDER}`);
    expect(d.rootCause.summary).toContain('strategy to Recreate');
    expect(textOf(d)).toContain(`The volume is held by pod ${HOLDER} on node ip-10-0-1-23.eu-west-1.compute.internal`);
  });

  it('says only who holds the volume when the claim may be shared by several nodes', async () => {
    const d = await diagnoseScenario(DIR, (objects) =>
      objects.map((o: Any) =>
        o.kind === 'PersistentVolumeClaim' ? { ...o, spec: { ...o.spec, accessModes: ['ReadWriteMany'] } } : o,
      ),
    );
    expect(d.rootCause.summary).not.toContain('Recreate');
    expect(d.rootCause.summary).toContain(
      `still attached to node ip-10-0-1-23.eu-west-1.compute.internal for pod ${HOLDER} (Multi-Attach)`,
    );
    expect(d.actions).toEqual([]);
  });

  it('says an attachment left without a pod is released when its node unmounts it', async () => {
    const d = await diagnoseScenario(DIR, (objects) =>
      objects
        .filter((o: Any) => o.metadata?.name !== HOLDER)
        .map((o: Any) =>
          o.kind === 'Event' && o.reason === 'FailedAttachVolume'
            ? {
                ...o,
                message: `Multi-Attach error for volume "pvc-3f8a1c2d-7b6e-4d5f-9a8b-0c1d2e3f4a5b" Volume is already exclusively attached to one node and can't be attached to another`,
              }
            : o,
        ),
    );
    expect(d.rootCause.code).toBe('VOLUME_ATTACH_FAILURE');
    expect(d.rootCause.summary).toContain('though no pod uses it any more');
    expect(d.actions).toEqual([]);
  });
});
