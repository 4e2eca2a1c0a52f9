/**
 * A pod larger than any node (test/scenarios/rollout-request-larger-than-any-node): adding nodes of the same size
 * never places it; when the newest revision raised the requests that far, the rollback is proposed.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/rollout-request-larger-than-any-node';
const diagnoseScenario = scenarioDiagnoser();

/** Every quote-engine container (all revisions) requesting `cpu`. */
const everyRevisionRequests = (cpu: string) =>
  eachObject((o) => {
    for (const c of [...(o.spec?.containers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
      if (c.name === 'engine') c.resources.requests.cpu = cpu;
  });

describe('a pod larger than any node', () => {
  it('says no node can place it and rolls back the revision that raised its requests', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.rootCause.summary).toContain('it requests cpu 6 (the largest node has 3920m allocatable)');
    expect(d.rootCause.summary).not.toContain('Add nodes');
    expect(d.actions).toMatchObject([{ kind: 'rollout-undo', params: { toRevision: 7 } }]);
  });

  it('proposes no rollback when the previous revision asks as much', async () => {
    const d = await diagnoseScenario(DIR, everyRevisionRequests('6'));
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('Lower the requests, or run it on a node group with bigger nodes');
  });

  it('keeps the usual advice for a pod some node could hold', async () => {
    const d = await diagnoseScenario(DIR, everyRevisionRequests('3'));
    expect(d.rootCause.summary).toContain('Add nodes');
    expect(d.actions).toEqual([]);
  });
});
