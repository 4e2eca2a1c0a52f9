/**
 * A bounded, in-process memory of keys seen recently (and, for `createRecentValues`, what was seen with them):
 * whether a key was touched within `windowMs`, keeping at most `maxKeys` (the oldest go first). Used where a
 * process remembers "this was done a moment ago" to skip repeated work: the repeat lane of the alerts queue
 * (src/queue/lanes.ts), the pairs the Slack view has recorded (src/slack/notifier.ts) and the proposals a pair was
 * given (src/incidents/incident.ts). Never a source of truth: forgetting a key only costs the work it saved.
 */
export interface RecentKeys {
  /** Whether `key` was touched within the window. */
  has(key: string): boolean;
  /** Records `key` as seen now, and forgets keys past the window or over the size bound. */
  touch(key: string): void;
}

export interface RecentValues<V> {
  /** What `key` was last set to, if that was within the window. */
  get(key: string): V | undefined;
  /** Remembers `value` for `key` as of now, and forgets keys past the window or over the size bound. */
  set(key: string, value: V): void;
}

export interface RecentOptions {
  windowMs: number;
  maxKeys: number;
  now: () => number;
}

export function createRecentValues<V>(options: RecentOptions): RecentValues<V> {
  const { windowMs, maxKeys, now } = options;
  /** key → when it was last set and to what; re-inserted on every set, so the oldest is first. */
  const seen = new Map<string, { at: number; value: V }>();
  return {
    get(key) {
      const entry = seen.get(key);
      return entry !== undefined && now() - entry.at < windowMs ? entry.value : undefined;
    },
    set(key, value) {
      const at = now();
      seen.delete(key);
      seen.set(key, { at, value });
      for (const [old, entry] of seen) {
        if (seen.size <= maxKeys && at - entry.at < windowMs) break;
        seen.delete(old);
      }
    },
  };
}

export function createRecentKeys(options: RecentOptions): RecentKeys {
  const values = createRecentValues<true>(options);
  return {
    has: (key) => values.get(key) === true,
    touch: (key) => values.set(key, true),
  };
}
