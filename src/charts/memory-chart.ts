/**
 * A memory-usage-vs-limit chart, drawn as SVG and rasterised to PNG server-side with resvg
 * (no browser, no canvas): small enough to attach to a Slack thread and readable at a glance.
 */
import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { MedicError } from '../errors.js';

// resvg is a native addon (~7 MB of RSS): loaded on the first chart, not when `medic serve` starts.
const require = createRequire(import.meta.url);
let resvgClass: typeof ResvgClass | undefined;
function loadResvg(): typeof ResvgClass {
  resvgClass ??= (require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')).Resvg;
  return resvgClass;
}

export interface MemorySample {
  /** Unix time in milliseconds. */
  t: number;
  bytes: number;
}

export interface MemoryChartInput {
  title: string;
  series: MemorySample[];
  /** The container's memory limit; null when it has none. */
  limitBytes: number | null;
  /** Pixel size of the PNG; default 720 × 320. */
  width?: number;
  height?: number;
}

const MIB = 1024 * 1024;
const PAD = { left: 64, right: 20, top: 58, bottom: 36 };
const COLORS = {
  usage: '#1264a3',
  fill: '#1264a31f',
  limit: '#e01e5a',
  near: '#ecb22e',
  grid: '#e8e8e8',
  text: '#1d1c1d',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `243Mi`, `1.5Gi`: the units people read in limits. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return '0';
  if (bytes >= 1024 * MIB) return `${Number((bytes / (1024 * MIB)).toFixed(2))}Gi`;
  return `${Math.round(bytes / MIB)}Mi`;
}

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? raw;
}

function timeLabel(t: number): string {
  return `${new Date(t).toISOString().slice(11, 16)} UTC`;
}

function validate(input: MemoryChartInput): void {
  if (input.series.length < 2) {
    throw new MedicError('BAD_REQUEST', 'A memory chart needs at least two samples.', { field: 'series' });
  }
  for (const [i, s] of input.series.entries()) {
    if (!Number.isFinite(s.t) || !Number.isFinite(s.bytes) || s.bytes < 0) {
      throw new MedicError('BAD_REQUEST', `Sample ${i} is not a finite, non-negative value.`, {
        field: `series[${i}]`,
      });
    }
  }
  if (input.limitBytes !== null && !(Number.isFinite(input.limitBytes) && input.limitBytes > 0)) {
    throw new MedicError('BAD_REQUEST', 'The memory limit must be a positive number of bytes.', {
      field: 'limitBytes',
    });
  }
}

/** The chart as SVG text (exported for the console, which can show it without rasterising). */
export function buildMemoryChartSvg(input: MemoryChartInput): string {
  validate(input);
  const width = input.width ?? 720;
  const height = input.height ?? 320;
  const series = [...input.series].sort((a, b) => a.t - b.t);
  const t0 = series[0]?.t ?? 0;
  const t1 = series.at(-1)?.t ?? t0 + 1;
  const peak = Math.max(...series.map((s) => s.bytes));
  const top = Math.max(peak, input.limitBytes ?? 0) * 1.12 || MIB;
  const step = niceStep(top / MIB, 4) * MIB;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(t1 - t0, 1)) * plotW;
  const y = (b: number) => PAD.top + plotH - (b / top) * plotH;

  const parts: string[] = [];
  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${PAD.left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11">${formatBytes(v)}</text>`);
  }
  for (let i = 0; i <= 4; i += 1) {
    const t = t0 + ((t1 - t0) * i) / 4;
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    parts.push(`<text x="${x(t)}" y="${height - 14}" text-anchor="${anchor}" font-size="11">${timeLabel(t)}</text>`);
  }
  const points = series.map((s) => `${x(s.t).toFixed(1)},${y(s.bytes).toFixed(1)}`);
  const area = `M${x(t0)},${y(0)} L${points.join(' L')} L${x(t1)},${y(0)} Z`;
  parts.push(`<path d="${area}" fill="${COLORS.fill}"/>`);
  parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS.usage}" stroke-width="2.2"/>`);

  const legend = [`<tspan fill="${COLORS.usage}">■</tspan> usage (peak ${formatBytes(peak)})`];
  if (input.limitBytes !== null) {
    const ly = y(input.limitBytes);
    const near = y(input.limitBytes * 0.9);
    parts.push(
      `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${near}" y2="${near}" stroke="${COLORS.near}" stroke-dasharray="3 4"/>`,
    );
    parts.push(
      `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${ly}" y2="${ly}" stroke="${COLORS.limit}" stroke-width="2" stroke-dasharray="8 5"/>`,
    );
    parts.push(
      `<text x="${width - PAD.right - 4}" y="${ly - 6}" text-anchor="end" font-size="11" fill="${COLORS.limit}">limit ${formatBytes(input.limitBytes)}</text>`,
    );
    legend.push(`<tspan fill="${COLORS.limit}">■</tspan> limit`);
    legend.push(`<tspan fill="${COLORS.near}">■</tspan> 90%`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`,
    ` font-family="DejaVu Sans, Liberation Sans, sans-serif" fill="${COLORS.text}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="22" font-size="15" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${PAD.left}" y="40" font-size="11">${legend.join('   ')}</text>`,
    ...parts,
    '</svg>',
  ].join('');
}

/** Renders the chart to a PNG of exactly `width` × `height` pixels. */
export function renderMemoryChart(input: MemoryChartInput): Buffer {
  const svg = buildMemoryChartSvg(input);
  const Resvg = loadResvg();
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'original' },
  });
  return Buffer.from(resvg.render().asPng());
}
