/**
 * How the ClusterReader makes one API call: not-found becomes null, every other failure a KubeError (./errors.ts)
 * with the upstream status; results are shared within one diagnosis and, for a short time, across diagnoses.
 */
import { KubeError, kubeStatus, toKubeError } from './errors.js';

export interface SharedCache {
  ttlMs: number;
  now: () => number;
  values: Map<string, { value: unknown; expires: number }>;
}

export function createSharedCache(ttlMs: number, now: () => number = Date.now): SharedCache {
  return { ttlMs, now, values: new Map() };
}

/**
 * Stores an answer and drops the expired ones, so a long-running worker keeps only the last `ttlMs` of answers
 * (pod names churn: without this the map grew by every object ever read). Re-inserting moves a key to the end,
 * so with one TTL the map is in expiry order and the sweep stops at the first live entry.
 */
function remember(shared: SharedCache, key: string, value: unknown): void {
  const now = shared.now();
  shared.values.delete(key);
  shared.values.set(key, { value, expires: now + shared.ttlMs });
  for (const [oldKey, entry] of shared.values) {
    if (entry.expires > now) break;
    shared.values.delete(oldKey);
  }
}

/** One diagnosis' view of the cluster: its signal, its request count, its in-flight requests. */
export class CallScope {
  requestCount = 0;
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly shared: SharedCache,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Runs `call` once per key: a recent answer is reused, a concurrent identical request is joined. */
  async read<T>(key: string, what: string, call: () => Promise<T>, nullStatuses: number[] = [404]): Promise<T | null> {
    const hit = this.shared.values.get(key);
    if (hit && hit.expires > this.shared.now()) return hit.value as T | null;
    const running = this.inflight.get(key);
    if (running) return running as Promise<T | null>;
    const promise = this.execute(what, call, nullStatuses).then((value) => {
      if (this.shared.ttlMs > 0) remember(this.shared, key, value);
      return value;
    });
    this.inflight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inflight.delete(key);
    }
  }

  private async execute<T>(what: string, call: () => Promise<T>, nullStatuses: number[]): Promise<T | null> {
    if (this.signal?.aborted) {
      throw new KubeError('UNAVAILABLE', `Kubernetes API not asked to ${what}: the diagnosis was aborted`, {
        status: 0,
      });
    }
    this.requestCount += 1;
    try {
      return await call();
    } catch (error) {
      if (nullStatuses.includes(kubeStatus(error))) return null;
      throw toKubeError(error, what);
    }
  }
}
