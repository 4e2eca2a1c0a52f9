/**
 * The sandbox's in-memory cluster state, indexed by type, namespace and name. Stored objects are never mutated:
 * every write stores a new object, so callers may keep references (they must not mutate them).
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChangeEvent, KubeObject } from './object.js';
import { ResourceRegistry, type ResourceType } from './resources.js';
import { alreadyExists, notFound } from './status.js';

type Bucket = Map<string, Map<string, KubeObject>>;

export interface HistoryEntry {
  resourceVersion: number;
  event: ChangeEvent;
  /** The object before a MODIFIED change, so selector watches can tell entering from leaving. */
  previous?: KubeObject;
}

const HISTORY_LIMIT = 10_000;

function deterministicUid(type: ResourceType, namespace: string, name: string): string {
  const hex = createHash('sha1').update(`${type.apiVersion}/${type.kind}/${namespace}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function numericVersion(object: KubeObject): number {
  const rv = object.metadata.resourceVersion;
  return typeof rv === 'string' && /^\d{1,15}$/.test(rv) ? Number(rv) : 0;
}

export interface SandboxStoreEvents {
  change: [ChangeEvent];
}

export class SandboxStore extends EventEmitter<SandboxStoreEvents> {
  readonly types = new ResourceRegistry();
  private readonly buckets = new Map<ResourceType, Bucket>();
  private readonly history: HistoryEntry[] = [];
  private revision = 0;
  /** Changes with a resourceVersion below this were dropped from the history. */
  private trimmedBefore = 0;
  private readonly historyListeners = new Set<(entry: HistoryEntry) => void>();

  constructor(objects: KubeObject[] = []) {
    super();
    this.setMaxListeners(0);
    // Snapshot objects keep their resourceVersions; the counter continues after the highest.
    for (const object of objects) this.revision = Math.max(this.revision, numericVersion(object));
    for (const object of objects) this.load(object);
    this.addMissingNamespaces();
  }

  /** The cluster-wide resourceVersion of the latest change. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  typeOf(object: KubeObject): ResourceType {
    return this.types.ensure(object.apiVersion, object.kind, object.metadata.namespace !== undefined);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const type = this.types.byApiVersionKind(apiVersion, kind);
    return type ? this.listType(type, namespace) : [];
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.types.byApiVersionKind(apiVersion, kind);
    return type ? this.getType(type, namespace, name) : undefined;
  }

  listType(type: ResourceType, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(type);
    if (!bucket) return [];
    if (namespace !== undefined) return [...(bucket.get(type.namespaced ? namespace : '')?.values() ?? [])];
    const all: KubeObject[] = [];
    for (const byName of bucket.values()) all.push(...byName.values());
    return all;
  }

  getType(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets
      .get(type)
      ?.get(type.namespaced ? (namespace ?? '') : '')
      ?.get(name);
  }

  /** Stores a new object; fills uid, resourceVersion, creationTimestamp and generation. */
  create(object: KubeObject, options: { dryRun?: boolean } = {}): KubeObject {
    const type = this.typeOf(object);
    const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : '';
    if (this.getType(type, namespace, object.metadata.name)) throw alreadyExists(type, object.metadata.name);
    const stored = this.stamp(object, type, namespace, randomUUID());
    if (options.dryRun) return { ...stored, metadata: { ...stored.metadata, resourceVersion: undefined } };
    return this.commit('ADDED', type, stored);
  }

  /** Replaces an existing object (the caller checked preconditions), bumping its resourceVersion. */
  replace(object: KubeObject, options: { dryRun?: boolean } = {}): KubeObject {
    const type = this.typeOf(object);
    const namespace = type.namespaced ? (object.metadata.namespace ?? '') : '';
    const previous = this.getType(type, namespace, object.metadata.name);
    if (!previous) throw notFound(type, object.metadata.name);
    if (options.dryRun) return object;
    return this.commit('MODIFIED', type, object, previous);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: { dryRun?: boolean } = {}) {
    const ns = type.namespaced ? (namespace ?? '') : '';
    const existing = this.getType(type, ns, name);
    if (!existing) throw notFound(type, name);
    if (options.dryRun) return existing;
    this.buckets.get(type)?.get(ns)?.delete(name);
    const deleted = this.withRevision(existing, ++this.revision);
    this.record('DELETED', deleted);
    return deleted;
  }

  /** Changes after `resourceVersion`, or null when they are no longer kept. */
  changesSince(resourceVersion: number): HistoryEntry[] | null {
    if (resourceVersion < this.trimmedBefore) return null;
    return this.history.filter((h) => h.resourceVersion > resourceVersion);
  }

  private load(object: KubeObject): void {
    const type = this.typeOf(object);
    const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : '';
    const uid = object.metadata.uid ?? deterministicUid(type, namespace, object.metadata.name);
    const stored = this.stamp(object, type, namespace, uid);
    if (!numericVersion(stored)) stored.metadata.resourceVersion = String(++this.revision);
    this.put(type, stored);
  }

  private addMissingNamespaces(): void {
    const type = this.types.ensure('v1', 'Namespace', false);
    const seen = new Set<string>();
    for (const [t, bucket] of this.buckets) if (t.namespaced) for (const ns of bucket.keys()) seen.add(ns);
    for (const name of seen) {
      if (this.getType(type, '', name)) continue;
      this.load({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } });
    }
    for (const ns of this.listType(type)) {
      if (!(ns as { status?: unknown }).status) (ns as { status?: unknown }).status = { phase: 'Active' };
    }
  }

  private stamp(object: KubeObject, type: ResourceType, namespace: string, uid: string): KubeObject {
    const metadata = {
      ...object.metadata,
      ...(type.namespaced ? { namespace } : {}),
      uid: object.metadata.uid ?? uid,
      creationTimestamp: object.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    if (!type.namespaced) delete metadata.namespace;
    if ('spec' in object && metadata.generation === undefined) metadata.generation = 1;
    return { ...object, metadata };
  }

  private put(type: ResourceType, object: KubeObject): void {
    let bucket = this.buckets.get(type);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(type, bucket);
    }
    const ns = type.namespaced ? (object.metadata.namespace ?? '') : '';
    let byName = bucket.get(ns);
    if (!byName) {
      byName = new Map();
      bucket.set(ns, byName);
    }
    byName.set(object.metadata.name, object);
  }

  private withRevision(object: KubeObject, revision: number): KubeObject {
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
  }

  private commit(type: ChangeEvent['type'], resource: ResourceType, object: KubeObject, previous?: KubeObject) {
    const stored = this.withRevision(object, ++this.revision);
    this.put(resource, stored);
    this.record(type, stored, previous);
    return stored;
  }

  private record(type: ChangeEvent['type'], object: KubeObject, previous?: KubeObject): void {
    const event: ChangeEvent = { type, object };
    const entry: HistoryEntry = { resourceVersion: this.revision, event, ...(previous ? { previous } : {}) };
    this.history.push(entry);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.splice(0, this.history.length - HISTORY_LIMIT);
      this.trimmedBefore = dropped.at(-1)?.resourceVersion ?? 0;
    }
    this.emit('change', event);
    for (const listener of this.historyListeners) listener(entry);
  }

  /** Calls `listener` with every future change and its previous object; returns the unsubscribe function. */
  subscribe(listener: (entry: HistoryEntry) => void): () => void {
    this.historyListeners.add(listener);
    return () => this.historyListeners.delete(listener);
  }
}
