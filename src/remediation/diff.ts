/** Field-level differences between two JSON values, as before → after lines a person can read. */
import type { DiffLine } from '../types.js';
import { NONE } from './workload.js';

const MAX_LINES = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function render(value: unknown): string {
  if (value === undefined) return NONE;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Arrays of named objects (containers, env, volumes) are compared by name, like strategic merge does. */
function keyed(list: unknown[]): Map<string, unknown> | null {
  const map = new Map<string, unknown>();
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== 'string') return list.length === 0 ? map : null;
    map.set(item.name, item);
  }
  return map;
}

function walk(before: unknown, after: unknown, path: string, out: DiffLine[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = keyed(before);
    const b = keyed(after);
    if (a && b) {
      for (const name of new Set([...a.keys(), ...b.keys()])) walk(a.get(name), b.get(name), `${path}[${name}]`, out);
      return;
    }
  }
  out.push({ field: path, before: render(before), after: render(after) });
}

/** Differences under `prefix`, at most 20 lines (then one line saying how many more). */
export function diffValues(before: unknown, after: unknown, prefix: string): DiffLine[] {
  const out: DiffLine[] = [];
  walk(before, after, prefix, out);
  if (out.length <= MAX_LINES) return out;
  const more = out.length - MAX_LINES;
  return [...out.slice(0, MAX_LINES), { field: `${prefix} (${more} more fields)`, before: '…', after: '…' }];
}

/**
 * What must change in `before` to make it `after`, nested as in the object: the changed fields only, named list
 * items by name (a list that loses an item is given whole), a removed field as null. The manifest change of a
 * rollback.
 */
export function changedFields(before: unknown, after: unknown): unknown {
  if (after === undefined) return null;
  if (isRecord(before) && isRecord(after)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = changedFields(before[key], after[key]);
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = keyed(before);
    const b = keyed(after);
    if (a && b && [...a.keys()].every((name) => b.has(name))) {
      return [...b]
        .filter(([name, item]) => JSON.stringify(a.get(name)) !== JSON.stringify(item))
        .map(([name, item]) => ({ name, ...(changedFields(a.get(name), item) as object) }));
    }
  }
  return after;
}
