import { describe, expect, it } from 'vitest';
import { memoryTypoWords, memoryUnitTypo } from '../../src/diagnosis/quantity-typos.js';
import type { Container } from '../../src/kube/reader.js';

const container = (limits: Record<string, string>, requests: Record<string, string> = {}): Container => ({
  name: 'notifier',
  resources: { limits, requests },
});

describe('a memory quantity written in milli-units', () => {
  it('reads "512m" as the 512Mi that was meant, the limit before the request', () => {
    expect(memoryUnitTypo(container({ memory: '512m' }, { memory: '256m' }))).toEqual({
      field: 'limit',
      written: '512m',
      intended: '512Mi',
    });
    expect(memoryUnitTypo(container({ cpu: '500m' }, { memory: '1.5m' }))?.intended).toBe('1.5Mi');
    expect(memoryTypoWords('notifier', { field: 'limit', written: '512m', intended: '512Mi' })).toContain(
      'the m suffix means milli',
    );
  });

  it("takes CPU's m, M and Mi for what they are", () => {
    expect(memoryUnitTypo(container({ cpu: '500m', memory: '512Mi' }))).toBeNull();
    expect(memoryUnitTypo(container({ memory: '512M' }))).toBeNull();
  });
});
