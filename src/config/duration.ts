/** Parses durations as written in medic.yaml and slash commands: `90s`, `30m`, `1h`, `2d`, or `1h30m`. */
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^([0-9]+(s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/([0-9]+)(s|m|h|d)/g)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total;
}
