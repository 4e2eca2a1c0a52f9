/**
 * A claim of a kubernetes.io/no-provisioner class with no pre-made volume that fits
 * (test/scenarios/pvc-local-storage-no-pv-large-enough): the class's volumes against the claim, never "is the CSI
 * driver installed"; a pod Pending for another reason keeps its WaitForFirstConsumer claim out of it.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pvc-local-storage-no-pv-large-enough';
const diagnoseScenario = scenarioDiagnoser();

describe('a claim of a class that provisions nothing', () => {
  it("lists the class's volumes against what the claim asks", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_PROVISIONING_FAILED');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('provisioner kubernetes.io/no-provisioner, which creates nothing');
    expect(d.rootCause.summary).toContain('local-pv-worker-1-ssd0 100Gi Available on worker-1');
    expect(d.rootCause.summary).toContain('at least 200Gi');
  });

  it('leaves a waiting claim alone when the scheduler refuses the pod for something else', async () => {
    const cpu = '0/3 nodes are available: 3 Insufficient cpu.';
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Pod') o.status.conditions[0].message = cpu;
        if (o.kind === 'Event' && o.reason === 'FailedScheduling') o.message = cpu;
      }),
    );
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
  });
});
