/** Kubernetes memory quantities (`512Mi`, `1G`, `1.5Gi`, `128974848`) as byte counts, to compare them. */
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  K: 1e3,
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

/** Bytes of a quantity, or null when it is not one. */
export function parseQuantity(text: string): number | null {
  const match = /^([0-9]+(?:\.[0-9]+)?)(?:[eE]([+-]?[0-9]+)|(m|k|K|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  if (match[2] !== undefined) return value * 10 ** Number(match[2]);
  return value * (FACTORS[match[3] ?? ''] ?? 1);
}
