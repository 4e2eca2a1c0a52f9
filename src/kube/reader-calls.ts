/**
 * How the ClusterReader makes one API call: not-found becomes null, every other failure a KubeError (./errors.ts)
 * with the upstream status; results are shared within one diagnosis and, for a short time, across diagnoses.
 */
import { KubeError, kubeStatus, toKubeError } from './errors.js';

export interface SharedCache {
  ttlMs: number;
  now: () => number;
  values: Map<string, { value: unknown; expires: number }>;
  /**
   * Requests on the wire, by key, whichever diagnosis made them: in a storm the alerts of one incident are
   * diagnosed concurrently, and without this each asked the API server the same question before the first
   * answer could be cached.
   */
  inflight: Map<string, Promise<unknown>>;
}

export function createSharedCache(ttlMs: number, now: () => number = Date.now): SharedCache {
  return { ttlMs, now, values: new Map(), inflight: new Map() };
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

/** One diagnosis' view of the cluster: its signal and its request count, over the shared answers. */
export class CallScope {
  requestCount = 0;

  constructor(
    readonly shared: SharedCache,
    readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Runs `call` once per key: a recent answer is reused, a concurrent identical request (of any diagnosis) is
   * joined and shares its outcome, failure included (a joiner's own abort still stops it waiting).
   */
  async read<T>(key: string, what: string, call: () => Promise<T>, nullStatuses: number[] = [404]): Promise<T | null> {
    const { shared } = this;
    const hit = shared.values.get(key);
    if (hit && hit.expires > shared.now()) return hit.value as T | null;
    const running = shared.inflight.get(key) as Promise<T | null> | undefined;
    if (running) return this.joined(running, what);
    const promise = this.execute(what, call, nullStatuses).then((value) => {
      if (shared.ttlMs > 0) remember(shared, key, value);
      return value;
    });
    shared.inflight.set(key, promise);
    try {
      return await promise;
    } finally {
      shared.inflight.delete(key);
    }
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
