/**
 * KubeHpaReplicasMismatch with no failing pod (test/scenarios/hpa-mismatch-scale-update-denied): UNKNOWN naming the
 * HPA's counts and the condition that holds it, no scale or set-hpa-max.
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/hpa-mismatch-scale-update-denied';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with the HPA's conditions replaced by `conditions`. */
const withConditions = (conditions: Any[]) =>
  diagnoseScenario(DIR, (objects) =>
    objects.map((o: Any) =>
      o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'orders-api'
        ? { ...o, status: { ...o.status, conditions } }
        : o,
    ),
  );

describe('an HPA that does not reach the count it wants', () => {
  it('quotes the refusal when it cannot update the scale', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('HPA orders-api wants 9 replica(s) and has 6 (min 2, max 12)');
    expect(d.rootCause.summary).toContain('AbleToScale False (FailedUpdateScale: the HPA controller was unable');
  });

  it('says when it cannot read its metrics, and from which metrics API', async () => {
    const d = await withConditions([
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededGetScale',
        message: "the HPA controller was able to get the target's current scale",
      },
      {
        type: 'ScalingActive',
        status: 'False',
        reason: 'FailedGetResourceMetric',
        message: 'the HPA was unable to compute the replica count: no metrics returned from resource metrics API',
      },
    ]);
    expect(d.rootCause.summary).toContain(
      'HPA orders-api cannot compute a replica count: the resource metrics API (metrics.k8s.io, served by metrics-server) did not answer',
    );
    expect(d.rootCause.summary).toContain('It holds its target at 6 replica(s)');
    expect(d.actions).toEqual([]);
  });

  it('names its scale rate limit, and its behavior when no condition says more', async () => {
    const limited = await withConditions([
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'ReadyForNewScale',
        message: 'recommended size matches current size',
      },
      {
        type: 'ScalingLimited',
        status: 'True',
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      },
    ]);
    expect(limited.rootCause.summary).toContain('its own scaling limits hold it: ScalingLimited True (ScaleUpLimit');
    const quiet = await withConditions([]);
    expect(quiet.rootCause.summary).toContain(
      'its own behavior (scale-up or scale-down policies, the stabilization window)',
    );
    expect(quiet.actions).toEqual([]);
  });
});
