/**
 * Kubernetes resource quantities (`500m`, `256Mi`, `1.5Gi`, `2e3`): parsing memory and CPU for comparisons,
 * formatting them as people write them, and proposing a new memory limit people would pick.
 */

const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/;

/** The value of a quantity string or number, or null when it is not a valid quantity. */
export function parseQuantity(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const match = QUANTITY.exec(value);
  if (!match?.[1]) return null;
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  return base * (SUFFIXES[match[3] ?? ''] ?? 1);
}

const MI = 2 ** 20;

/** CPU quantity in millicores (`1500m` → 1500, `2` → 2000, `1473904112n` → 1474). */
export function parseCpuMillis(value: unknown): number | null {
  const cores = parseQuantity(value);
  return cores === null ? null : Math.round(cores * 1000);
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes as people write limits: `512Mi`, `2Gi`, `1536Mi`. */
export function formatMemory(bytes: number): string {
  const mi = Math.round(bytes / MI);
  if (mi >= 1024 && mi % 1024 === 0) return `${mi / 1024}Gi`;
  if (mi >= 1) return `${mi}Mi`;
  return `${Math.max(1, Math.round(bytes / 1024))}Ki`;
}

/**
 * The smallest "round" size ≥ `mib`: 1-2-5 steps (100Mi, 200Mi, 500Mi, 1000Mi…) or powers of two and their
 * halves (128Mi, 192Mi, 256Mi, 384Mi, 512Mi, 768Mi, 1Gi, 1536Mi, 2Gi, 3Gi…), whichever comes first.
 */
export function roundUpMemoryMi(mib: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let exp = 0; exp <= 8; exp++) {
    for (const step of [1, 2, 5]) {
      const v = step * 10 ** exp;
      if (v >= mib && v < best) best = v;
    }
  }
  for (let exp = 4; exp <= 22; exp++) {
    for (const step of [1, 1.5]) {
      const v = step * 2 ** exp;
      if (v >= mib && v < best) best = v;
    }
  }
  return Number.isFinite(best) ? best : Math.ceil(mib);
}

/**
 * A new limit for a container killed by its memory limit: at least double the limit it hit, and at least 1.5×
 * the highest usage seen, rounded up to a round size (the consul sidecar of the seed incident: 200Mi → 500Mi).
 * Without a limit, starts from the request or the usage.
 */
export function proposeMemoryLimit(limitBytes: number | null, usageBytes: number | null, requestBytes?: number | null) {
  const base = limitBytes ?? requestBytes ?? usageBytes ?? 256 * MI;
  const target = Math.max(base * 2, (usageBytes ?? 0) * 1.5);
  return roundUpMemoryMi(target / MI) * MI;
}

/**
 * A new CPU limit (millicores) for a container throttled by its own limit: double the limit, or 1.5× the highest
 * usage seen if that is more. Throttling caps the usage at the limit, so usage cannot show how much CPU the
 * container wants; one doubling step is a change people can review, and the throttled share after it says whether
 * another step is needed. Rounded up to 100m below one core and to half cores above, as people write limits.
 */
export function proposeCpuLimit(limitMillis: number, usageMillis: number | null): number {
  const target = Math.max(limitMillis * 2, (usageMillis ?? 0) * 1.5);
  const step = target <= 1000 ? 100 : 500;
  return Math.ceil(target / step) * step;
}

const GI = 2 ** 30;

/** Bytes as people size volumes: `2Ti`, `150Gi`, `512Mi` — whole units only, rounded up (a claim never gets less). */
export function formatStorage(bytes: number): string {
  const gi = bytes / GI;
  if (gi >= 1024 && Number.isInteger(gi / 1024)) return `${gi / 1024}Ti`;
  if (gi >= 1) return `${Math.ceil(gi)}Gi`;
  return `${Math.max(1, Math.ceil(bytes / MI))}Mi`;
}
