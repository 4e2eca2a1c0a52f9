import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/oom-jvm-heap-as-large-as-limit';
const diagnose = scenarioDiagnoser();

/** The scenario with the indexer's JAVA_OPTS replaced, in the Deployment, its ReplicaSet and its pod. */
const withJavaOpts = (value: string) =>
  eachObject((o) => {
    const spec = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    for (const c of spec?.containers ?? []) c.env = [{ name: 'JAVA_OPTS', value }];
  });

describe('an OOM-killed JVM whose heap does not fit its limit', () => {
  it('raises the limit to hold the heap and a third more when doubling would not', async () => {
    const d = await diagnose(DIR, withJavaOpts('-Xms4g -Xmx4g'));
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions[0]?.params).toMatchObject({ container: 'indexer', limit: '6Gi' });
    expect(textOf(d)).toContain('JVM heap -Xmx4g (env JAVA_OPTS) is as large as the memory limit or larger (2Gi)');
  });

  it('doubles the limit as before and names no heap when the heap fits', async () => {
    const d = await diagnose(DIR, withJavaOpts('-Xmx1g'));
    expect(d.actions[0]?.params).toMatchObject({ limit: '4Gi' });
    expect(textOf(d)).not.toContain('JVM heap');
  });
});

describe('an OOM kill under a memory limit written in milli-units', () => {
  it('proposes the limit that was meant, not double a fraction of a byte', async () => {
    const d = await diagnose(
      DIR,
      eachObject((o) => {
        const spec = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
        for (const c of spec?.containers ?? []) {
          c.env = [];
          c.resources = { requests: { memory: '1024m' }, limits: { memory: '2048m' } };
        }
      }),
    );
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions[0]?.params).toMatchObject({ container: 'indexer', limit: '2Gi' });
    expect(d.actions[0]?.title).toContain('"2048m" → 2Gi');
    expect(d.rootCause.summary).toContain('the m suffix means milli');
  });
});
