/** The memory limit Medic proposes is at least double the limit that was hit, rounded to a size people write. */
import { describe, expect, it } from 'vitest';
import {
  formatCpu,
  formatMemory,
  parseCpuMillis,
  parseQuantity,
  proposeCpuLimit,
  proposeMemoryLimit,
} from '../src/quantity.js';
import { ACTION_PARAMS } from '../src/vocabulary.js';

const Mi = 2 ** 20;

describe('memory limit proposals', () => {
  it.each([
    ['200Mi', null, '500Mi'],
    ['256Mi', '243Mi', '512Mi'],
    ['768Mi', null, '1536Mi'],
    ['1Gi', null, '2Gi'],
    ['3Gi', null, '6Gi'],
    ['128Mi', '121Mi', '256Mi'],
    ['512Mi', '500Mi', '1Gi'],
    ['300Mi', null, '768Mi'],
  ])('a container killed at %s (usage %s) gets %s', (limit, usage, wanted) => {
    const proposed = proposeMemoryLimit(parseQuantity(limit), parseQuantity(usage));
    expect(formatMemory(proposed)).toBe(wanted);
    expect(proposed).toBeGreaterThanOrEqual(2 * (parseQuantity(limit) ?? 0));
  });

  it('starts from the request or the usage when there is no limit', () => {
    expect(formatMemory(proposeMemoryLimit(null, 300 * Mi, 256 * Mi))).toBe('512Mi');
  });

  it('parses the quantities the API server and metrics-server print', () => {
    expect(parseQuantity('1391228Ki')).toBe(1391228 * 1024);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('lots')).toBeNull();
    expect(parseCpuMillis('1473904112n')).toBe(1474);
    expect(parseCpuMillis('1500m')).toBe(1500);
    expect(parseCpuMillis('2')).toBe(2000);
  });
});

describe('a new CPU limit for a throttled container', () => {
  it.each([
    // limit, peak usage seen, proposed
    [500, 498, '1'],
    [250, null, '500m'],
    [300, 290, '600m'],
    [2000, 1984, '4'],
    [1500, 1500, '3'],
    // A burst measured above the limit (a Prometheus peak over a 5-minute rate can exceed it) wins when larger.
    [1000, 1800, '3'],
    [700, 690, '1500m'],
  ])('limit %im, usage %sm → %s', (limit, usage, wanted) => {
    const proposed = proposeCpuLimit(limit, usage);
    expect(formatCpu(proposed)).toBe(wanted);
    expect(proposed).toBeGreaterThanOrEqual(2 * limit);
    expect(ACTION_PARAMS['set-cpu-limit'].shape.limit.safeParse(wanted).success).toBe(true);
  });

  it('accepts CPU quantities as limits are written and refuses memory or junk', () => {
    const limit = ACTION_PARAMS['set-cpu-limit'].shape.limit;
    for (const ok of ['2', '0.5', '1500m', '250m']) expect(limit.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['1Gi', '500Mi', '-1', '1.5m', 'two', '']) expect(limit.safeParse(bad).success, bad).toBe(false);
  });
});
