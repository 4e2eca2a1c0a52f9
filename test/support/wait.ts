/**
 * Bounded waiting: every wait in the tests, the fault suite and the benchmarks has a deadline and says what it
 * was waiting for.
 */

export interface WaitOptions {
  timeoutMs: number;
  /** Shown in the timeout error. */
  what: string;
  /** Poll interval for conditions that have no event to await (state in another process). */
  intervalMs?: number;
  /**
   * Subscribes to changes of in-process state (e.g. the Slack simulator's `onChange`), returning the
   * unsubscribe: the condition is checked on every change instead of on a timer.
   */
  onChange?: (listener: () => void) => () => void;
}

/** A condition not met yet: the check returns a falsy value (undefined, null, false, 0, ''). */
type Pending = undefined | null | false | 0 | '';

/** Resolves with the first truthy value of `check`; throws after the deadline, naming what it waited for. */
export async function waitFor<T>(check: () => Promise<T | Pending> | T | Pending, options: WaitOptions): Promise<T> {
  if (options.onChange) return waitForChange(check as () => T | Pending, options, options.onChange);
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${cause}`);
    }
    await delay(interval);
  }
}

function waitForChange<T>(
  check: () => T | Pending,
  options: WaitOptions,
  onChange: (listener: () => void) => () => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = (finish: () => void) => {
      unsubscribe();
      clearTimeout(timer);
      finish();
    };
    const test = () => {
      try {
        const value = check();
        if (value) settle(() => resolve(value));
      } catch (error) {
        settle(() => reject(error));
      }
    };
    const unsubscribe = onChange(test);
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`)));
    }, options.timeoutMs);
    test();
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
