/**
 * A bounded, in-process memory of keys seen recently: whether a key was touched within `windowMs`, keeping at most
 * `maxKeys` (the oldest go first). Used where a process remembers "this was done a moment ago" to skip repeated
 * work: the repeat lane of the alerts queue (src/queue/lanes.ts) and the pairs the Slack view has recorded
 * (src/slack/notifier.ts). Never a source of truth: forgetting a key only costs the work it saved.
 */
export interface RecentKeys {
  /** Whether `key` was touched within the window. */
  has(key: string): boolean;
  /** Records `key` as seen now, and forgets keys past the window or over the size bound. */
  touch(key: string): void;
}

export function createRecentKeys(options: { windowMs: number; maxKeys: number; now: () => number }): RecentKeys {
  const { windowMs, maxKeys, now } = options;
  /** key → when it was last touched; re-inserted on every touch, so the oldest is first. */
  const seen = new Map<string, number>();
  return {
    has(key) {
      const at = seen.get(key);
      return at !== undefined && now() - at < windowMs;
    },
    touch(key) {
      const at = now();
      seen.delete(key);
      seen.set(key, at);
      for (const [old, when] of seen) {
        if (seen.size <= maxKeys && at - when < windowMs) break;
        seen.delete(old);
      }
    },
  };
}
