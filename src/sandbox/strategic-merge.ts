/**
 * Strategic merge patch, as the API server applies it to built-in kinds: lists with a patch merge key
 * (containers by name, volumeMounts by mountPath, …) are merged element by element, other lists replaced;
 * `null` deletes; `$patch: delete|replace|merge`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`
 * and `$retainKeys` directives are understood.
 */
import { isRecord } from './object.js';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  env: 'name',
  imagePullSecrets: 'name',
  conditions: 'type',
  addresses: 'type',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  schedulingGates: 'name',
};
/** Lists of scalars merged as sets. */
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

/** The merge key of list `field` inside an object that is itself the value of `parent` (a field or list name). */
export function mergeKeyOf(field: string, parent: string): string | undefined {
  if (field === 'ports') return CONTAINER_LISTS.has(parent) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

type Json = unknown;

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.filter((v) => !(isRecord(v) && v.$patch)).map(stripDirectives);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    if (v !== null) out[k] = stripDirectives(v);
  }
  return out;
}

function mergeList(original: unknown[], patch: unknown[], key: string, field: string): unknown[] {
  if (patch.some((p) => isRecord(p) && p.$patch === 'replace')) return stripDirectives(patch) as unknown[];
  const result = [...original];
  for (const item of patch) {
    if (!isRecord(item) || !(key in item)) {
      result.push(stripDirectives(item));
      continue;
    }
    const index = result.findIndex((r) => isRecord(r) && r[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index], item, field);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (v: unknown) => (key && isRecord(v) ? v[key] : v);
  const wanted = order.map(id);
  const ranked = list.map((item, i) => ({ item, rank: wanted.indexOf(id(item)), i }));
  return ranked
    .sort((a, b) => (a.rank < 0 ? 1e9 + a.i : a.rank) - (b.rank < 0 ? 1e9 + b.i : b.rank))
    .map((r) => r.item);
}

function mergeField(original: unknown, value: unknown, field: string, parent: string): unknown {
  if (Array.isArray(value)) {
    const key = mergeKeyOf(field, parent);
    const current = Array.isArray(original) ? original : [];
    if (key) return mergeList(current, value, key, field);
    if (PRIMITIVE_MERGE_LISTS.has(field)) return [...new Set([...current, ...value])];
    return stripDirectives(value);
  }
  return isRecord(value) ? strategicMerge(original, value, field) : value;
}

/** Applies a strategic merge patch to `original` (not modified) and returns the result. */
export function strategicMerge(original: unknown, patch: unknown, parent = ''): unknown {
  if (!isRecord(patch)) return patch;
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const result: Record<string, unknown> = isRecord(original) ? { ...original } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : null;
  for (const [field, value] of Object.entries(patch)) {
    if (field.startsWith('$')) continue;
    if (value === null) delete result[field];
    else if (isRecord(value) && value.$patch === 'delete') delete result[field];
    else result[field] = mergeField(result[field], value, field, parent);
  }
  for (const [directive, value] of Object.entries(patch)) {
    const [name, field = ''] = directive.split('/');
    const current = result[field];
    if (!Array.isArray(value) || !Array.isArray(current)) continue;
    if (name === '$deleteFromPrimitiveList') result[field] = current.filter((v) => !value.includes(v));
    if (name === '$setElementOrder') result[field] = reorder(current, value, mergeKeyOf(field, parent));
  }
  if (retain) for (const field of Object.keys(result)) if (!retain.has(field)) delete result[field];
  return result;
}
