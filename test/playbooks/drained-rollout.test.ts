/**
 * A rollout whose strategy stopped every old pod while the new ones are stuck
 * (test/scenarios/rollout-drained-all-pods-new-ones-stuck-in-init): UNSAFE_ROLLOUT naming the strategy and the
 * block, with nothing proposed; without a drained previous revision, the blocked pod alone is the finding.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/rollout-drained-all-pods-new-ones-stuck-in-init';
const diagnoseScenario = scenarioDiagnoser();

describe('a rollout that drained every pod', () => {
  it('names the strategy and what blocks the new pods, and proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNSAFE_ROLLOUT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('rollingUpdate.maxUnavailable 100% lets a rollout take all 2 pod(s) down');
    expect(d.rootCause.summary).toContain('stuck in its init container migrate');
  });

  it('is the blocked pod alone when no previous revision was scaled down for it', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'ReplicaSet' && o.metadata.name === 'contacts-api-7f6d5c4b3a') o.spec.replicas = 2;
      }),
    );
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('stuck in its init container migrate');
  });
});
