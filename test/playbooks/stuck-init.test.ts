/**
 * A pod stuck in an init container that never finishes (test/scenarios/init-container-waiting-for-dependency): UNKNOWN
 * naming the init container and its last log line, not a rollout hazard of its Deployment.
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/init-container-waiting-for-dependency';
const POD = 'contacts-api-5d8e9f7a6b-x7k9w';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with the waiting pod's init container `migrate` changed by `change`. */
const withInit = (change: (init: Any, spec: Any) => void) =>
  diagnoseScenario(DIR, (objects) =>
    objects.map((o: Any) => {
      if (o.kind !== 'Pod' || o.metadata.name !== POD) return o;
      const copy = structuredClone(o);
      change(copy.status.initContainerStatuses[0], copy.spec.initContainers[0]);
      return copy;
    }),
  );

describe('a pod waiting in an init container', () => {
  it('is stuck when its init container ran for more than five minutes before the alert', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      `Pod ${POD} is stuck in its init container migrate, running since 2026-11-20T02:41:12Z`,
    );
    expect(d.rootCause.summary).toContain('waiting for database contacts-db.crm.svc:5432');
  });

  it('is still starting when its init container began two minutes before the alert', async () => {
    const d = await withInit((init) => {
      init.state.running.startedAt = '2026-11-20T02:55:12Z';
    });
    expect(d.rootCause.summary).not.toContain('stuck in its init container');
  });

  it('is not stuck on a native sidecar, which runs for the life of the pod', async () => {
    const d = await withInit((_init, spec) => {
      spec.restartPolicy = 'Always';
    });
    expect(d.rootCause.summary).not.toContain('stuck in its init container');
  });
});
