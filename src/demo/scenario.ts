/**
 * The built-in demo data: the cluster snapshot and the Alertmanager payloads, moved in time so that the
 * snapshot's moment (2026-11-20T10:00:00Z) is now: the events are minutes old, not months.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSnapshot } from '../sandbox/index.js';

const DEMO_DIR = dirname(fileURLToPath(import.meta.url));
export const SNAPSHOT_FILE = join(DEMO_DIR, 'cluster.yaml');
export const ALERTS_DIR = join(DEMO_DIR, 'alerts');
export const DEMO_SETTINGS_FILE = join(DEMO_DIR, 'medic.yaml');
/** The moment the snapshot was taken. */
export const SNAPSHOT_TIME = Date.parse('2026-11-20T10:00:00Z');

const ISO = /\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z\b/g;

function shiftText(text: string, deltaMs: number): string {
  return text.replace(ISO, (stamp, fraction: string | undefined) => {
    const t = Date.parse(stamp);
    // Go's zero time marks a firing alert's endsAt; it must stay zero.
    if (Number.isNaN(t) || t < 0) return stamp;
    const shifted = new Date(t + deltaMs).toISOString();
    return fraction ? shifted : shifted.replace(/\.[0-9]{3}Z$/, 'Z');
  });
}

/** Every RFC 3339 UTC timestamp in `value` (also inside log text) moved by `deltaMs`. */
export function shiftTimestamps<T>(value: T, deltaMs: number): T {
  if (typeof value === 'string') return shiftText(value, deltaMs) as T;
  if (Array.isArray(value)) return value.map((v) => shiftTimestamps(v, deltaMs)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftTimestamps(v, deltaMs)])) as T;
  }
  return value;
}

export interface DemoScenario {
  objects: unknown[];
  /** Alertmanager webhook payloads, in the order they are sent. */
  payloads: { file: string; body: Record<string, unknown> }[];
}

/** Loads the built-in snapshot and alerts, shifted so the snapshot time is `now`. */
export async function loadDemoScenario(now: number = Date.now()): Promise<DemoScenario> {
  const delta = now - SNAPSHOT_TIME;
  const objects = loadSnapshot(await readFile(SNAPSHOT_FILE, 'utf8'), SNAPSHOT_FILE);
  const files = (await readdir(ALERTS_DIR)).filter((f) => f.endsWith('.json')).sort();
  const payloads = await Promise.all(
    files.map(async (file) => ({
      file,
      body: JSON.parse(await readFile(join(ALERTS_DIR, file), 'utf8')) as Record<string, unknown>,
    })),
  );
  return {
    objects: shiftTimestamps(objects, delta),
    payloads: payloads.map((p) => ({ file: p.file, body: shiftTimestamps(p.body, delta) })),
  };
}

/** How many alerts the payloads carry: one diagnosis each. */
export function countAlerts(scenario: DemoScenario): number {
  return scenario.payloads.reduce((n, p) => n + (Array.isArray(p.body.alerts) ? p.body.alerts.length : 0), 0);
}
