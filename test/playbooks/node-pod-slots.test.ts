/**
 * KubeletTooManyPods on a node at its max pods (test/scenarios/kubelet-too-many-pods-node-full): UNKNOWN naming the
 * pod slots; on a node with room, the fallback points at the node, not at an application.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/kubelet-too-many-pods-node-full';
const diagnoseScenario = scenarioDiagnoser();

describe('a node alert with no failing pod', () => {
  it('names a node out of pod slots', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('runs 8 of its 8 allocatable pods');
  });

  it('points at the node itself when it has pod slots left', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Node') o.status.allocatable.pods = '110';
      }),
    );
    expect(d.rootCause.summary).not.toContain('allocatable pods');
    expect(d.rootCause.summary).toContain('Look at the node itself');
  });
});
