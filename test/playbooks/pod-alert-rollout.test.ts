/**
 * An alert about one pod that nothing explains is no rollout-safety finding: a preStop hook does not make that pod
 * ready (test/scenarios/pod-stuck-creating-image-still-pulling without its pull events).
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pod-stuck-creating-image-still-pulling';
const diagnoseScenario = scenarioDiagnoser();

describe('a pod alert that nothing explains', () => {
  it('is UNKNOWN, not UNSAFE_ROLLOUT with a preStop patch', async () => {
    const d = await diagnoseScenario(DIR, (objects) => objects.filter((o) => o.kind !== 'Event'));
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
  });
});
