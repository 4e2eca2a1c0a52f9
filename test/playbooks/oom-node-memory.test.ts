/**
 * A memory limit raise no node can back (test/scenarios/oom-limit-already-near-node-memory): the doubled limit is
 * capped at the largest allowed node's allocatable memory, and none is proposed when the limit already holds about
 * all of it.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/oom-limit-already-near-node-memory';
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with the worker's memory limit set to `limit`. */
const withLimit = (limit: string) =>
  eachObject((o) => {
    for (const c of [...(o.spec?.containers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
      if (c.name === 'worker') c.resources.limits.memory = limit;
  });

describe('a memory limit raise bounded by the nodes', () => {
  it('proposes none when the limit already holds about all a node has for pods', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('14938Mi allocatable on ip-10-0-1-20.ec2.internal');
    expect(d.rootCause.summary).toContain('use nodes with more memory');
  });

  it("caps the doubled limit at the largest node's whole Gi of allocatable memory", async () => {
    const d = await diagnoseScenario(DIR, withLimit('10Gi'));
    const raise = d.actions.find((a) => a.kind === 'set-memory-limit');
    expect(raise?.params).toMatchObject({ container: 'worker', limit: '14Gi' });
    expect(raise?.title).toContain("node ip-10-0-1-20.ec2.internal's allocatable memory");
    expect(d.evidence.map((e) => e.text).join('\n')).toMatch(
      /The raise stops at 14Gi: \d+[MG]i is more than any node it may run on has for pods/,
    );
  });

  it('doubles as before when the nodes can back it', async () => {
    const d = await diagnoseScenario(DIR, withLimit('4Gi'));
    const raise = d.actions.find((a) => a.kind === 'set-memory-limit');
    expect(raise?.params).toMatchObject({ limit: '8Gi' });
    expect(raise?.title).not.toContain('allocatable');
  });

  it('counts only the nodes its nodeSelector allows', async () => {
    const bigNodeElsewhere = eachObject((o) => {
      if (o.kind === 'Node' && o.metadata.name === 'ip-10-0-2-31.ec2.internal') {
        o.status.allocatable.memory = '64Gi';
        o.metadata.labels['node.kubernetes.io/instance-type'] = 'r5.2xlarge';
      }
      for (const spec of [o.spec, o.spec?.template?.spec])
        if (spec?.containers?.some((c: { name: string }) => c.name === 'worker'))
          spec.nodeSelector = { 'kubernetes.io/hostname': 'ip-10-0-1-20.ec2.internal' };
    });
    const d = await diagnoseScenario(DIR, bigNodeElsewhere);
    expect(d.actions).toEqual([]);
  });
});
