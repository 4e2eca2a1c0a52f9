/**
 * Dry runs shared between the alerts of one incident. In a storm every group of a zone outage proposes the
 * same change (cordon the same node, raise the same limit), and each proposal used to dry-run it on the API
 * server again: ~180 `PATCH nodes?dryRun=All` for one node. An identical action (kind and params) prepared
 * within `windowMs` shares one plan and dry run: a concurrent one joins it, a later one reuses its answer.
 * A temporary failure is shared only with those that joined it, so the next alert tries again. Sharing cannot
 * make a proposal run stale: execution re-reads the object and checks the precondition the dry run recorded.
 */
import type { ProposedAction } from '../types.js';
import { actionKey } from '../vocabulary.js';

export type SharedPrepare<R> = (action: ProposedAction, prepare: () => Promise<R>) => Promise<R>;

export function createSharedPrepare<R>(options: {
  windowMs: number;
  now: () => number;
  /** Whether an answer may be reused after it arrived (not a temporary failure). */
  isReusable: (result: R) => boolean;
}): SharedPrepare<R> {
  const answers = new Map<string, { result: R; expires: number }>();
  const inflight = new Map<string, Promise<R>>();

  function remember(key: string, result: R): void {
    const now = options.now();
    answers.delete(key);
    answers.set(key, { result, expires: now + options.windowMs });
    // One window for all: the map is in expiry order, so the sweep stops at the first live answer.
    for (const [old, entry] of answers) {
      if (entry.expires > now) break;
      answers.delete(old);
    }
  }

  return async (action, prepare) => {
    const key = actionKey(action.kind, action.params);
    const hit = answers.get(key);
    if (hit && hit.expires > options.now()) return hit.result;
    const running = inflight.get(key);
    if (running) return running;
    const promise = prepare();
    inflight.set(key, promise);
    try {
      const result = await promise;
      if (options.windowMs > 0 && options.isReusable(result)) remember(key, result);
      return result;
    } finally {
      inflight.delete(key);
    }
  };
}
