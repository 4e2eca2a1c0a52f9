import { describe, expect, it } from 'vitest';
import { percentile, readProcessMemory, summarize } from './stats.js';

describe('benchmark figures', () => {
  it('uses nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, min: 1, p50: 2, max: 3, mean: 2 });
  });

  it('reads the resident and peak memory of a live process', () => {
    const memory = readProcessMemory(process.pid);
    expect(memory.rssMb).toBeGreaterThan(10);
    expect(memory.peakRssMb).toBeGreaterThanOrEqual(memory.rssMb);
  });
});
