/**
 * Pods pending for CPU after a pod of a globalDefault PriorityClass preempted theirs
 * (test/scenarios/pending-after-preemption-by-tenant-default-priority): the preemptor and the priorities are named.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pending-after-preemption-by-tenant-default-priority';
const diagnoseScenario = scenarioDiagnoser();

describe('pods pending after a preemption', () => {
  it('names the preemptor, its PriorityClass, and why the pending pods cannot take the room back', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'Earlier, 2 pod(s) of this workload were preempted by pod batch/ml-train-7b9c5d4f8-w2xqj (priority 1000, PriorityClass tenant-default)',
    );
    expect(d.rootCause.summary).toContain('not higher, so they cannot preempt it back');
  });

  it('does not say they cannot preempt back when the pending pods rank higher now', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Pod' && o.metadata.namespace === 'pricing' && o.status.phase === 'Pending')
          o.spec.priority = 5000;
      }),
    );
    expect(d.rootCause.summary).toContain('were preempted by pod batch/ml-train-7b9c5d4f8-w2xqj');
    expect(d.rootCause.summary).not.toContain('cannot preempt it back');
  });

  it('says nothing of preemption when no pod of the workload was preempted', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Event' && o.reason === 'Preempted') o.involvedObject.name = 'other-app-5d9f7c6b84-x1y2z';
      }),
    );
    expect(textOf(d)).not.toContain('preempted');
  });
});
