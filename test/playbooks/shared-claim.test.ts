/**
 * Replicas that share one ReadWriteOnce claim (test/scenarios/deployment-replicas-share-rwo-claim): the second
 * replica cannot be scheduled where the volume is usable; adding nodes would not help.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  diagnoseIn,
  eachObject,
  scenarioDiagnoser,
  scenarioEvent,
  scenarioObjects,
  startSandbox,
} from './diagnose-scenario.js';

const DIR = 'test/scenarios/deployment-replicas-share-rwo-claim';
const diagnoseScenario = scenarioDiagnoser();

describe('replicas sharing one ReadWriteOnce claim', () => {
  it('names the claim, the replica that holds it and its node, and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_ZONE_CONFLICT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'it mounts claim rate-pvc (ReadWriteOnce), which mongodb-rate-7f5d8c6b94-k4l8m already uses on node kind-worker',
    );
    expect(d.rootCause.summary).toContain("the pods' anti-affinity keeps a second replica off that node");
  });

  it('is a shared claim only when the access mode is ReadWriteOnce', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'PersistentVolumeClaim') o.spec.accessModes = ['ReadWriteMany'];
      }),
    );
    expect(d.rootCause.summary).not.toContain('already uses');
    expect(d.rootCause.summary).toContain('a local volume pinned to node kind-worker');
  });

  it('says a local volume cannot move when no replica holds it, without a zone it does not have', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Pod' && o.spec.nodeName) o.spec.volumes = [];
      }),
    );
    expect(d.rootCause.summary).toContain('its PersistentVolume is a local volume pinned to node kind-worker');
    expect(d.rootCause.summary).not.toContain('zone');
  });
});

describe('a shared claim seen from a pod alert', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it("finds the holder among the workload's other replicas", async () => {
    sandbox = await startSandbox({ objects: scenarioObjects(DIR) as never });
    const d = await diagnoseIn(
      sandbox,
      scenarioEvent(DIR, (e) => {
        e.alert.labels = {
          alertname: 'KubePodNotReady',
          namespace: 'hotel-reservation',
          pod: 'mongodb-rate-7f5d8c6b94-z2x6c',
        };
      }),
    );
    expect(d.rootCause.summary).toContain('which mongodb-rate-7f5d8c6b94-k4l8m already uses on node kind-worker');
  });
});
