/**
 * How the ClusterReader makes one API call: not-found becomes null, every other failure a KubeError (./errors.ts)
 * with the upstream status; results are shared within one diagnosis and, for a short time, across diagnoses and
 * with remediation's planning reads (./writer-shared-reads.ts) of the same client.
 */
import { KubeError, kubeStatus, toKubeError } from './errors.js';

/**
 * How long an answer is reused: 2 s, measured. In bench:storm (a zone outage, 5,000 alerts over 10 s) every reuse —
 * diagnoses of one incident, the dry runs of their proposals, GETs answered from lists — came within 0.5 s of the
 * answer (the oldest answer reused was 469 ms old), and 5 s gave the same request count (32–33) as 2 s: alerts of
 * one object share the whole diagnosis for 15 s (src/pipeline/shared-diagnoses.ts), so no later wave re-reads.
 * A longer TTL would buy nothing there and cost freshness: a `/medic diagnose` run right after a person's own fix
 * would be shown the state before it. A change Medic makes drops every answer at once (`forgetAnswers`); the fix
 * check (src/incidents/verify.ts) runs ≥ 30 s after a change, long after any answer read before it expired.
 */
export const DEFAULT_ANSWER_TTL_MS = 2000;

export interface SharedCache {
  ttlMs: number;
  now: () => number;
  /** `isIndexed`: a list answer whose objects were stored under their own keys with it (ReadOptions.objects). */
  values: Map<string, { value: unknown; expires: number; isIndexed?: boolean }>;
  /**
   * Requests on the wire, by key, whichever diagnosis made them: in a storm the alerts of one incident are
   * diagnosed concurrently, and without this each asked the API server the same question before the first
   * answer could be cached.
   */
  inflight: Map<string, Promise<unknown>>;
  /** Bumped by `forgetAnswers`: an answer to a request sent before a change is not stored after it. */
  generation: number;
}

export function createSharedCache(ttlMs: number, now: () => number = Date.now): SharedCache {
  return { ttlMs, now, values: new Map(), inflight: new Map(), generation: 0 };
}

/** Drops every answer and stops sharing the requests on the wire: the cluster was just changed through this client. */
export function forgetAnswers(shared: SharedCache): void {
  shared.values.clear();
  shared.inflight.clear();
  shared.generation += 1;
}

/** The answer stored under `key` while it is fresh (`{ value }`, value null for not-found), else undefined. */
export function freshAnswer<T>(shared: SharedCache, key: string): { value: T } | undefined {
  const hit = shared.values.get(key);
  return hit && hit.expires > shared.now() ? { value: hit.value as T } : undefined;
}

export interface ReadOptions<T> {
  /** Statuses answered as null, "no such object" (default 404). */
  nullStatuses?: number[];
  /**
   * The objects a list answer holds, each under the key a GET of it has: stored with the list, so that GET is
   * answered from it while it is fresh. A list proves only that what it holds exists: an object it lacks is
   * still asked for (a selected list says nothing about the others).
   */
  objects?: (value: T) => Iterable<[string, unknown]>;
  /** An answer worked out from a fresh answer to a wider question (a selected list from the full one), if any. */
  derive?: () => T | undefined;
  /**
   * For a GET: the keys of the complete lists of such objects (every node, every pod of the namespace; never a
   * list selected by label or field, which may leave objects out). A fresh one answers the GET: with the object,
   * or not-found (null) when it does not hold it. One on the wire is waited for: in a storm the diagnoses start
   * together, and one asks for a node while another's node list is on its way.
   */
  listedIn?: string[];
}

/**
 * Stores an answer (and the objects it holds) and drops the expired ones, so a long-running worker keeps only the
 * last `ttlMs` of answers (pod names churn: without this the map grew by every object ever read). Re-inserting
 * moves a key to the end, so with one TTL the map is in expiry order and the sweep stops at the first live entry.
 */
function remember<T>(shared: SharedCache, key: string, value: T | null, objects: ReadOptions<T>['objects']): void {
  const now = shared.now();
  const entry = { value: value as unknown, expires: now + shared.ttlMs, isIndexed: value !== null && !!objects };
  shared.values.delete(key);
  shared.values.set(key, entry);
  if (value !== null && objects) {
    for (const [objectKey, object] of objects(value)) {
      shared.values.delete(objectKey);
      shared.values.set(objectKey, { value: object, expires: entry.expires });
    }
  }
  for (const [oldKey, old] of shared.values) {
    if (old.expires > now) break;
    shared.values.delete(oldKey);
  }
}

/** Whether one of these complete lists is fresh (with its objects stored), so an object it lacks does not exist. */
function holdsNone(shared: SharedCache, completeLists: string[]): boolean {
  const now = shared.now();
  return completeLists.some((k) => {
    const list = shared.values.get(k);
    return list?.isIndexed === true && list.expires > now;
  });
}

/** One diagnosis' view of the cluster: its signal and its request count, over the shared answers. */
export class CallScope {
  requestCount = 0;

  constructor(
    readonly shared: SharedCache,
    readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Runs `call` once per key: a recent answer is reused (or one derived from a recent wider answer), a concurrent
   * identical request (of any diagnosis) is joined and shares its outcome, failure included (a joiner's own abort
   * still stops it waiting).
   */
  async read<T>(key: string, what: string, call: () => Promise<T>, options: ReadOptions<T> = {}): Promise<T | null> {
    const { shared } = this;
    const hit = freshAnswer<T | null>(shared, key);
    if (hit) return hit.value;
    const derived = options.derive?.();
    if (derived !== undefined) return derived;
    const complete = options.listedIn ?? [];
    // A fresh complete list would have stored the object under `key` with it: it does not hold it.
    if (holdsNone(shared, complete)) return null;
    // Checked before any await: a request this call does not see on the wire, it would send again.
    const lists = complete.map((k) => shared.inflight.get(k)).filter((p) => p !== undefined);
    if (lists.length > 0) {
      const listed = await this.afterLists<T>(key, what, lists);
      if (listed) return listed.value;
      if (holdsNone(shared, complete)) return null;
    }
    const running = shared.inflight.get(key) as Promise<T | null> | undefined;
    if (running) return this.joined(running, what);
    const generation = shared.generation;
    const promise = this.execute(what, call, options.nullStatuses ?? [404]).then((value) => {
      if (shared.ttlMs > 0 && shared.generation === generation) remember(shared, key, value, options.objects);
      return value;
    });
    shared.inflight.set(key, promise);
    try {
      return await promise;
    } finally {
      if (shared.inflight.get(key) === promise) shared.inflight.delete(key);
    }
  }

  /** Waits for lists on the wire, then the object's answer if one of them held it. */
  private async afterLists<T>(
    key: string,
    what: string,
    lists: Promise<unknown>[],
  ): Promise<{ value: T | null } | undefined> {
    try {
      await Promise.all(lists.map((list) => this.joined(list, what)));
    } catch (error) {
      if (this.signal?.aborted) throw error;
      // A list failed: the GET asks for the object itself and reports its own failure.
    }
    return freshAnswer<T | null>(this.shared, key);
  }

  private joined<T>(running: Promise<T>, what: string): Promise<T> {
    const signal = this.signal;
    if (!signal) return running;
    if (signal.aborted) return Promise.reject(this.aborted(what));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.aborted(what));
      signal.addEventListener('abort', onAbort, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private aborted(what: string): KubeError {
    return new KubeError('UNAVAILABLE', `Kubernetes API not asked to ${what}: the diagnosis was aborted`, {
      status: 0,
    });
  }

  private async execute<T>(what: string, call: () => Promise<T>, nullStatuses: number[]): Promise<T | null> {
    if (this.signal?.aborted) throw this.aborted(what);
    this.requestCount += 1;
    try {
      return await call();
    } catch (error) {
      if (nullStatuses.includes(kubeStatus(error))) return null;
      throw toKubeError(error, what);
    }
  }
}
