import { describe, expect, it } from 'vitest';
import { buildMemoryChartSvg, formatBytes, renderMemoryChart } from '../../src/charts/memory-chart.js';
import { MedicError } from '../../src/errors.js';

const MiB = 1024 * 1024;
const start = Date.parse('2026-11-20T02:14:00Z');
const series = Array.from({ length: 60 }, (_, i) => ({ t: start + i * 60_000, bytes: (150 + (i % 20) * 5) * MiB }));

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('renderMemoryChart', () => {
  it('renders a PNG of the default size', () => {
    const png = renderMemoryChart({ title: 'ads/ad-server · ad-server', series, limitBytes: 256 * MiB });
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect(pngSize(png)).toEqual({ width: 720, height: 320 });
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('renders the size asked for, also without a limit', () => {
    const png = renderMemoryChart({ title: 'no limit', series, limitBytes: null, width: 400, height: 200 });
    expect(pngSize(png)).toEqual({ width: 400, height: 200 });
  });

  it('draws the limit line, its 90% mark and the peak in the legend', () => {
    const svg = buildMemoryChartSvg({ title: 'proxy <consul-client>', series, limitBytes: 200 * MiB });
    expect(svg).toContain('limit 200Mi');
    expect(svg).toContain('peak 245Mi');
    expect(svg).toContain('90%');
    expect(svg).toContain('proxy &#60;consul-client&#62;');
    expect(svg).not.toContain('<consul-client>');
  });

  it('refuses a series too short to draw or holding bad samples', () => {
    expect(() => renderMemoryChart({ title: 't', series: series.slice(0, 1), limitBytes: null })).toThrow(MedicError);
    const bad = [...series.slice(0, 3), { t: start, bytes: Number.NaN }];
    expect(() => renderMemoryChart({ title: 't', series: bad, limitBytes: null })).toThrow(/Sample 3/);
    expect(() => renderMemoryChart({ title: 't', series, limitBytes: -1 })).toThrow(/limit/);
  });

  it('formats sizes the way limits are written', () => {
    expect(formatBytes(256 * MiB)).toBe('256Mi');
    expect(formatBytes(1536 * MiB)).toBe('1.5Gi');
    expect(formatBytes(0)).toBe('0');
  });
});
