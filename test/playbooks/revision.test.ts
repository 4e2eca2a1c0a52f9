/**
 * What the newest revision can and cannot have broken: a `kubectl rollout restart` of the same template, an image
 * pulled with the same credentials as before, a lone failing pod whose healthy siblings run another revision, and a
 * revision that ran for days before its pods began to fail.
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const RESTART = 'test/scenarios/crashloop-after-rollout-restart';
const PULL = 'test/scenarios/image-pull-same-image-credentials-expired';
type Any = Record<string, any>;

const diagnoseScenario = scenarioDiagnoser();
/** The scenario with `change` made to its objects in place. */
const diagnose = (dir: string, change: (objects: Any[]) => void = () => {}) =>
  diagnoseScenario(dir, (objects) => {
    change(objects);
    return objects;
  });

const named = (objects: Any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as Any;
const kinds = (d: { actions: { kind: string }[] }) => d.actions.map((a) => a.kind);

describe('a restart of the same template', () => {
  it('is not rolled back, and the lone failing pod is not deleted while only older pods are healthy', async () => {
    const d = await diagnose(RESTART);
    expect(d.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    expect(kinds(d)).toEqual([]);
    expect(d.rootCause.summary).toContain(
      "Revision 88 only restarted revision 87's pod template (kubectl rollout restart at 2026-11-23T06:57:40Z)",
    );
    expect(textOf(d)).toContain('no other pod of its revision (pod-template-hash 5f7d9c8b6) is healthy');
  });

  it('is rolled back when the newest revision also changed the template', async () => {
    const d = await diagnose(RESTART, (objects) => {
      for (const o of [named(objects, 'ReplicaSet', 'detail-5f7d9c8b6'), named(objects, 'Deployment', 'detail')])
        o.spec.template.spec.containers[0].env = [{ name: 'CACHE_URL', value: 'redis://detail-cache:6379' }];
    });
    expect(kinds(d)).toEqual(['rollout-undo']);
    expect(d.rootCause.summary).toContain('It started with the newest revision: roll back to revision 87');
  });

  it('deletes a lone failing pod whose siblings of the same revision are healthy', async () => {
    const d = await diagnose(RESTART, (objects) => {
      // Every pod made from revision 88's template: two healthy, one crash-looping.
      for (const o of objects.filter((o) => o.kind === 'Pod')) o.metadata.labels['pod-template-hash'] = '5f7d9c8b6';
    });
    expect(kinds(d)).toEqual(['delete-pod']);
  });
});

describe('an image that cannot be pulled', () => {
  it('is not rolled back when the previous revision pulls the same image with the same credentials', async () => {
    const d = await diagnose(PULL);
    expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(kinds(d)).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'The previous revision has the same image registry.example.com/checkout/cart-api:2.7.4, pulled with the same credentials (service account cart-api, imagePullSecrets regcred-checkout)',
    );
  });

  it('is rolled back when the newest revision changed the pull secrets', async () => {
    const d = await diagnose(PULL, (objects) => {
      for (const o of [named(objects, 'ReplicaSet', 'cart-api-79fb5c8d46'), named(objects, 'Deployment', 'cart-api')])
        o.spec.template.spec.imagePullSecrets = [{ name: 'regcred-checkout-v2' }];
    });
    expect(kinds(d)).toEqual(['rollout-undo']);
  });
});

describe('a revision that ran for days before its pods began to fail', () => {
  const SETTLED = 'test/scenarios/crashloop-long-running-revision-dependency-down';
  const deployment = (objects: Any[]) => named(objects, 'Deployment', 'detail');

  it('is not rolled back: the failure began long after it', async () => {
    const d = await diagnose(SETTLED);
    expect(kinds(d)).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'Revision 88 has run since 2026-11-13T09:02:11Z, 10 days before the failures began',
    );
  });

  it('is rolled back when it was created within hours of the alert', async () => {
    const d = await diagnose(SETTLED, (objects) => {
      named(objects, 'ReplicaSet', 'detail-5f7d9c8b6').metadata.creationTimestamp = '2026-11-23T04:30:00Z';
    });
    expect(kinds(d)).toEqual(['rollout-undo']);
  });

  it('is rolled back when its rollout never finished, however old', async () => {
    const d = await diagnose(SETTLED, (objects) => {
      const progressing = deployment(objects).status.conditions.find((c: Any) => c.type === 'Progressing');
      Object.assign(progressing, { status: 'False', reason: 'ProgressDeadlineExceeded' });
      named(objects, 'ReplicaSet', 'detail-6c8b7a9d5').spec.replicas = 2;
    });
    expect(kinds(d)).toEqual(['rollout-undo']);
  });
});
