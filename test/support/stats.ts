/** Figures for benchmarks and fault tests: latency percentiles and process memory read from /proc. */
import { readFileSync } from 'node:fs';

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of `sorted` (ascending), `p` in 0–100. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[], digits = 1): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Number(v.toFixed(digits));
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean),
  };
}

export interface ProcessMemory {
  /** Resident set size now, MiB. */
  rssMb: number;
  /** Peak resident set size since start (VmHWM), MiB. */
  peakRssMb: number;
}

/** Memory of a live process, from /proc/<pid>/status (Linux). */
export function readProcessMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) / 1024;
  };
  return { rssMb: Number(kib('VmRSS').toFixed(1)), peakRssMb: Number(kib('VmHWM').toFixed(1)) };
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the peak seen and the last sample. */
export function sampleMemory(pid: number, intervalMs = 200) {
  let peak = 0;
  let last = 0;
  const take = () => {
    try {
      const { rssMb, peakRssMb } = readProcessMemory(pid);
      last = rssMb;
      peak = Math.max(peak, rssMb, peakRssMb);
    } catch {
      // The process exited between samples: the figures so far stand.
      clearInterval(timer);
    }
  };
  const timer = setInterval(take, intervalMs);
  take();
  return {
    stop(): ProcessMemory {
      clearInterval(timer);
      take();
      return { rssMb: last, peakRssMb: peak };
    },
  };
}
