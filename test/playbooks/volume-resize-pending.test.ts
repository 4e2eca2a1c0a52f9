/**
 * VOLUME_FULL for a claim whose earlier resize has not finished (test/scenarios/volume-full-resize-already-failed):
 * no second resize-pvc, and the advice follows how far the first one got.
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/volume-full-resize-already-failed';
type Any = Record<string, any>;

const diagnoseScenario = scenarioDiagnoser();
/** The scenario without the resizer's events, its claim's status replaced by `status`. */
const withClaimStatus = (status: Any, requested = '150Gi') =>
  diagnoseScenario(DIR, (objects) =>
    objects
      .filter((o) => o.kind !== 'Event' || o.involvedObject.kind !== 'PersistentVolumeClaim')
      .map((o) =>
        o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'data-inventory-db-0'
          ? {
              ...o,
              spec: { ...o.spec, resources: { requests: { storage: requested } } },
              status: { ...o.status, ...status },
            }
          : o,
      ),
  );

describe('a volume filling up while an earlier resize is pending', () => {
  it('says the resize failed, in the resizer words, and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_FULL');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('A resize to 150Gi was already asked and failed (resize volume "pvc-');
    expect(d.rootCause.summary).toContain("QUOTA_EXCEEDED - Quota 'SSD_TOTAL_GB' exceeded");
  });

  it('asks for the pod to be restarted when only the filesystem is left to grow', async () => {
    const d = await withClaimStatus({
      allocatedResourceStatuses: { storage: 'NodeResizePending' },
      conditions: [
        {
          type: 'FileSystemResizePending',
          status: 'True',
          message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.',
        },
      ],
    });
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'its filesystem grows when a pod mounts it again: restart inventory-db-0 at a quiet moment',
    );
    expect(textOf(d)).toContain(
      'the claim says FileSystemResizePending: Waiting for user to (re-)start a pod to finish file system resize of volume on node; allocatedResourceStatuses NodeResizePending: no second resize',
    );
  });

  it('says a resize still in the controller is under way', async () => {
    const d = await withClaimStatus({ allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } });
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('A resize to 150Gi is already under way');
  });

  it('counts a terminal failure the claim records without any event', async () => {
    const d = await withClaimStatus({ allocatedResourceStatuses: { storage: 'ControllerResizeFailed' } });
    expect(d.rootCause.summary).toContain(
      'A resize to 150Gi was already asked and failed (Resizing; allocatedResourceStatuses ControllerResizeFailed)',
    );
  });

  it('proposes the resize when none is pending', async () => {
    const d = await withClaimStatus({ conditions: [] }, '100Gi');
    expect(d.actions.map((a) => [a.kind, a.params.size])).toEqual([['resize-pvc', '150Gi']]);
  });
});
