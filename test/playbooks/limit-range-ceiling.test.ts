/**
 * A raised limit never goes above what the namespace's LimitRange allows one container: above it the new pods
 * would be refused at creation and the rollout would stick. At the maximum already: no proposal; below it: the
 * raise stops at the maximum.
 */
import { describe, expect, it } from 'vitest';
import { containerCeiling } from '../../src/diagnosis/admission.js';
import type { LimitRange } from '../../src/kube/reader.js';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const OOM = 'test/scenarios/oom-limit-at-limitrange-maximum';
const CPU = '../shared/scenarios-next/cpu-throttling-search-api';
type Any = Record<string, any>;

const diagnoseScenario = scenarioDiagnoser();
const limitRange = (namespace: string, max: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: { name: 'tenant-limits', namespace },
  spec: { limits: [{ type: 'Container', max }] },
});
const withoutLimitRanges = (objects: Any[]) => objects.filter((o) => o.kind !== 'LimitRange');

describe('containerCeiling', () => {
  it('takes the lowest Container maximum of every LimitRange, and ignores Pod and claim maxima', () => {
    const ranges = [
      { metadata: { name: 'a' }, spec: { limits: [{ type: 'Container', max: { memory: '2Gi', cpu: '4' } }] } },
      {
        metadata: { name: 'b' },
        spec: {
          limits: [
            { type: 'Pod', max: { memory: '256Mi' } },
            { type: 'Container', max: { memory: '1Gi' } },
          ],
        },
      },
    ] as LimitRange[];
    expect(containerCeiling(ranges, 'memory')).toEqual({ value: '1Gi', amount: 2 ** 30, limitRange: 'b' });
    expect(containerCeiling(ranges, 'cpu')).toEqual({ value: '4', amount: 4000, limitRange: 'a' });
    expect(containerCeiling([], 'cpu')).toBeNull();
  });
});

describe('limit proposals under a LimitRange', () => {
  it('proposes no memory raise for a container already at the maximum', async () => {
    const d = await diagnoseScenario(OOM);
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('LimitRange ads-container-limits caps containers at 256Mi');
  });

  it('stops a memory raise at the maximum, and says so', async () => {
    const d = await diagnoseScenario(OOM, (objects) => [
      ...withoutLimitRanges(objects),
      limitRange('ads', { memory: '384Mi' }),
    ]);
    expect(d.actions.map((a) => [a.kind, a.params.limit, a.title])).toEqual([
      [
        'set-memory-limit',
        '384Mi',
        "Raise ad-server memory limit 256Mi → 384Mi on Deployment/ad-server (LimitRange tenant-limits's maximum)",
      ],
    ]);
    expect(textOf(d)).toContain('The raise stops at 384Mi, the most LimitRange tenant-limits allows per container');
  });

  it('raises memory as before without a LimitRange', async () => {
    const d = await diagnoseScenario(OOM, withoutLimitRanges);
    expect(d.actions.map((a) => a.params.limit)).toEqual(['512Mi']);
  });

  it('proposes no CPU raise for a container at the maximum, and stops one below it there', async () => {
    const at = await diagnoseScenario(CPU, (objects) => [...objects, limitRange('search', { cpu: '500m' })]);
    expect(at.rootCause.code).toBe('CPU_THROTTLING');
    expect(at.actions).toEqual([]);
    expect(at.rootCause.summary).toContain('LimitRange tenant-limits caps containers at 500m of CPU');

    const below = await diagnoseScenario(CPU, (objects) => [...objects, limitRange('search', { cpu: '750m' })]);
    expect(below.actions.map((a) => [a.kind, a.params.limit])).toEqual([['set-cpu-limit', '750m']]);
    expect(textOf(below)).toContain("750m is LimitRange tenant-limits's maximum (1 would be refused");
  });
});
