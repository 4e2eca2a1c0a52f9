/**
 * A paused Deployment rolls out no change to its pod template (test/scenarios/crashloop-fix-waiting-in-paused-deployment):
 * no rollback, restart or limit patch is proposed for it, and the diagnosis says to resume it.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/crashloop-fix-waiting-in-paused-deployment';
const diagnoseScenario = scenarioDiagnoser();

const resumed = eachObject((o) => {
  if (o.kind === 'Deployment') {
    delete o.spec.paused;
    o.spec.template.spec.containers[0].image = 'registry.example.com/shop/checkout-api:2.3.0';
  }
});

describe('a paused Deployment', () => {
  it('gets no rollback, and the template waiting for the resume is named', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('Deployment checkout-api is paused (spec.paused: true)');
    expect(d.rootCause.summary).toContain(
      'Its template holds registry.example.com/shop/checkout-api:2.3.1, which the pods (registry.example.com/shop/checkout-api:2.3.0) do not run yet',
    );
    expect(d.rootCause.summary).toContain('`kubectl rollout resume deployment/checkout-api -n shop`');
  });

  it('is rolled back as before once resumed', async () => {
    const d = await diagnoseScenario(DIR, resumed);
    expect(d.actions.map((a) => a.kind)).toEqual(['rollout-undo']);
  });

  it('gets no memory limit patch either: the engine drops template changes for it', async () => {
    const oom = eachObject((o) => {
      if (o.kind === 'Deployment') o.spec.paused = true;
    });
    const d = await diagnoseScenario('test/scenarios/oom-limit-already-near-node-memory', (objects) =>
      oom(
        eachObject((o) => {
          for (const c of [...(o.spec?.containers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
            if (c.name === 'worker') c.resources.limits.memory = '4Gi';
        })(objects),
      ),
    );
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions).toEqual([]);
    expect(d.evidence.map((e) => e.text)).toContainEqual(
      expect.stringContaining('Deployment aggregator is paused (spec.paused: true)'),
    );
  });
});
