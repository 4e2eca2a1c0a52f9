/**
 * The cap on concurrent Kubernetes API requests of this process. During an outage the API server is the thing
 * least able to take extra load, so however many diagnoses, dry runs and clusters are busy, at most `limit`
 * requests are on the wire at once; the others wait their turn, first come first served, for at most
 * `maxWaitMs` (or until their caller aborts). One that waits longer is not sent: it fails like an API server
 * that did not answer (KubeError, status 0), which a playbook shows as evidence with `partial: true` and a job
 * retries. Every client (src/kube/client.ts) shares the one cap of the process (`processRequestCap`) unless it is
 * given its own: each cluster of medic.yaml `clusters` has its own (src/clusters/connect.ts), since the cap protects
 * one API server and a hanging cluster must not take the slots of another.
 */
import { KubeError } from './errors.js';

export interface RequestCap {
  readonly limit: number;
  /** Requests holding a slot now. */
  inFlight(): number;
  /** Requests waiting for a slot now. */
  waiting(): number;
  /** Resolves to the slot's release (call it once the answer arrived or the request failed; extra calls are no-ops). */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export const DEFAULT_REQUEST_CAP = 16;
export const DEFAULT_REQUEST_CAP_WAIT_MS = 5000;

interface Waiter {
  grant(release: () => void): void;
}

export function createRequestCap(options: { limit?: number; maxWaitMs?: number } = {}): RequestCap {
  const limit = options.limit ?? DEFAULT_REQUEST_CAP;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_REQUEST_CAP_WAIT_MS;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`request cap must be a positive integer, got ${limit}`);
  let held = 0;
  const queue: Waiter[] = [];

  function slot(): () => void {
    held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next.grant(slot());
      held -= 1;
    };
  }

  const refused = (why: string) =>
    new KubeError('UNAVAILABLE', `Kubernetes request not sent: ${why} (${limit} requests already in flight)`, {
      status: 0,
    });

  return {
    limit,
    inFlight: () => held,
    waiting: () => queue.length,
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(refused('its caller gave up while it waited for a slot'));
      if (held < limit && queue.length === 0) return Promise.resolve(slot());
      return new Promise((resolve, reject) => {
        const leave = (error: KubeError) => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        };
        const onAbort = () => leave(refused('its caller gave up while it waited for a slot'));
        const timer = setTimeout(() => leave(refused(`no slot freed within ${maxWaitMs} ms`)), maxWaitMs);
        const waiter: Waiter = {
          grant(release) {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}

let shared: RequestCap | undefined;

/** The cap every Kubernetes client of this process shares (created on first use with the defaults). */
export function processRequestCap(): RequestCap {
  shared ??= createRequestCap();
  return shared;
}
