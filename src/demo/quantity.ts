/** Kubernetes memory quantities (`256Mi`, `1Gi`, `512M`, `1e9`) as bytes. */
const FACTORS: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Bytes, or null when the text is not a memory quantity. */
export function parseMemoryQuantity(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  const match = /^([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(text.trim());
  if (!match) return null;
  const factor = FACTORS[match[2] ?? ''] ?? 1;
  return Math.round(Number(match[1]) * factor);
}
