/**
 * KubeDaemonSetMisScheduled (test/scenarios/daemonset-misscheduled-node-tainted-after): the node whose NoSchedule
 * taint the DaemonSet's pods do not tolerate, and the toleration to add.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/daemonset-misscheduled-node-tainted-after';
const diagnoseScenario = scenarioDiagnoser();

describe('DaemonSet pods misscheduled', () => {
  it('names the node and its taint, and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('runs a pod on gpu-1, whose taint nvidia.com/gpu=present:NoSchedule');
    expect(d.rootCause.summary).toContain('add a toleration');
  });

  it('finds nothing when the pods tolerate the taint (a toleration of its effect and key)', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Pod')
          o.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
      }),
    );
    expect(textOf(d)).not.toContain('misscheduled');
  });

  it('does not take a toleration of another effect for this one', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Pod') o.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }];
      }),
    );
    expect(d.rootCause.summary).toContain('runs a pod on gpu-1');
  });
});
