/**
 * Alerts about the same object share one diagnosis. A storm sends thousands of alerts about a few objects (the
 * same pod seen by two Prometheus replicas, a re-sent group, an alert that only differs by a label no playbook
 * reads); diagnosing each would cost the API server what the alert count costs, not what the incident costs.
 *
 * The rule for "the same answer" is exact, not a guess about which labels matter: the diagnosis runs on a view of
 * the alert that records every field it reads (a label, an annotation, `startsAt`, a label set it enumerates,
 * the cluster label the cluster choice reads). Another alert gets that diagnosis only when every recorded field
 * has the same value in it, and only within `windowMs` of the answer. An alert about another pod, another
 * container, or with another reason label was read differently, so it is diagnosed on its own and can never be
 * folded into the wrong answer. Only the alert's identity is not compared (its fingerprint and status, which the
 * answer carries per alert), and `startsAt` is compared within a minute (STARTS_AT_TOLERANCE_MS): each alert
 * still gets its own Diagnosis, recorded under its own fingerprint.
 *
 * Alerts that arrive while a diagnosis that may match is running wait for it (at most one diagnosis per object at
 * a time); one whose reads so far already differ (another cluster, container, pod) is not waited for. A `partial` answer (a cluster read failed) is handed to those waiters but not kept for later alerts,
 * which try the cluster again. A failed diagnosis is never shared: each waiter runs its own.
 * The memory is per process and bounded (entries expire after the window; at most `maxEntries`).
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { labelObject } from '../queue/lanes.js';
import type { Diagnosis, DiagnosisEngine } from '../types.js';
import { stableKey } from '../vocabulary.js';

/** How long an answer is given to later alerts about the same object; the playbooks' reads are that fresh. */
export const SHARED_DIAGNOSIS_WINDOW_MS = 15_000;

/** How often an alert waiting for a running diagnosis checks whether that one still may match it. */
const RECHECK_MS = 100;

/** Fields that identify an alert instead of describing it: never compared, rewritten per alert. */
const IDENTITY = new Set(['alert\u0000fingerprint', 'alert\u0000status']);

/** A field the diagnosis read: its path, and its value (JSON) or, for an enumerated object, the whole object. */
type Reads = Map<string, string>;

interface Entry {
  /** Null while the diagnosis runs. */
  reads: Reads | null;
  /** What the diagnosis has read so far (while it runs): reads only add up, so a mismatch here is final. */
  live: Reads;
  diagnosis?: Diagnosis;
  /** When the answer was made (ms). */
  at: number;
  done: Promise<void>;
}

export interface SharedDiagnosesOptions {
  windowMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** Called for each alert answered with another alert's diagnosis (metrics, tests). */
  onShared?: (diagnosis: Diagnosis) => void;
}

const WHOLE = '\u0000*';

function valueAt(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('\u0000')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A view of `event` that records the path and value of every field read through it. */
export function recordingView<T extends object>(event: T): { view: T; reads: Reads } {
  const reads: Reads = new Map();
  const proxies = new WeakMap<object, object>();
  const wrap = (target: object, path: string): object => {
    const known = proxies.get(target);
    if (known) return known;
    const at = (key: string) => (path ? `${path}\u0000${key}` : key);
    const proxy = new Proxy(target, {
      get(obj, key, receiver) {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof key === 'symbol') return value;
        if (value !== null && typeof value === 'object') return wrap(value, at(key));
        if (typeof value !== 'function') reads.set(at(key), stableKey(value));
        return value;
      },
      has(obj, key) {
        if (typeof key === 'string') reads.set(at(key), stableKey((obj as Record<string, unknown>)[key]));
        return Reflect.has(obj, key);
      },
      ownKeys(obj) {
        reads.set(`${path}${WHOLE}`, stableKey(obj));
        return Reflect.ownKeys(obj);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return { view: wrap(event, '') as T, reads };
}

/**
 * `startsAt` is compared within this much: Prometheus replicas evaluating one rule start the same alert seconds
 * apart, and the playbooks use it only as the edge of windows of minutes to hours (an OOM kill within 6 h of it, a
 * rollout within 15 min) that already allow 60 s of clock skew (src/diagnosis/rollout-timing.ts).
 */
export const STARTS_AT_TOLERANCE_MS = 60_000;
const STARTS_AT = 'alert\u0000startsAt';

function sameStart(expected: string, actual: unknown): boolean {
  if (stableKey(actual) === expected) return true;
  if (!expected.startsWith('"')) return false;
  const a = Date.parse(JSON.parse(expected) as string);
  const b = typeof actual === 'string' ? Date.parse(actual) : Number.NaN;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= STARTS_AT_TOLERANCE_MS;
}

/** Whether `event` has every value the recorded diagnosis read (identity fields aside; `startsAt` nearly). */
export function readsMatch(reads: Reads, event: object): boolean {
  for (const [path, expected] of reads) {
    if (IDENTITY.has(path)) continue;
    const actual = path.endsWith(WHOLE) ? valueAt(event, path.slice(0, -WHOLE.length)) : valueAt(event, path);
    if (path === STARTS_AT ? !sameStart(expected, actual) : stableKey(actual) !== expected) return false;
  }
  return true;
}

/** The answer for another alert: its own identity, everything else as diagnosed. */
function answerFor(diagnosis: Diagnosis, event: AlertEvent): Diagnosis {
  return {
    ...diagnosis,
    alert: { ...diagnosis.alert, fingerprint: event.alert.fingerprint, status: event.alert.status },
  };
}

/** Where candidates are looked for: alerts about the same object by their labels (a wrong guess costs a wait). */
function bucketOf(event: AlertEvent): string {
  const labels = event.alert.labels;
  const namespace = labels.namespace ?? labels.exported_namespace ?? '';
  return `${labels.alertname ?? ''}|${namespace}|${labelObject(labels, 'pod')}|${labels.container ?? ''}`;
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * `engine` with sharing for firing alerts. Used by the alert path only: `/medic diagnose` (someone asked for a
 * fresh look) and the check after a fix (it must see the cluster after the change) call the engine directly.
 */
export function createSharedDiagnoses(engine: DiagnosisEngine, options: SharedDiagnosesOptions = {}): DiagnosisEngine {
  const windowMs = options.windowMs ?? SHARED_DIAGNOSIS_WINDOW_MS;
  const maxEntries = options.maxEntries ?? 5000;
  const now = options.now ?? Date.now;
  /** bucket → its entries; a bucket is re-inserted when it gets an entry, so the least recently used is first. */
  const buckets = new Map<string, Entry[]>();
  let size = 0;

  const fresh = (entry: Entry, at: number) => entry.reads === null || at - entry.at < windowMs;

  function prune(at: number): void {
    for (const [key, entries] of buckets) {
      if (size <= maxEntries && entries.every((e) => fresh(e, at))) break;
      const kept = size > maxEntries ? entries.filter((e) => e.reads === null) : entries.filter((e) => fresh(e, at));
      size -= entries.length - kept.length;
      if (kept.length === 0) buckets.delete(key);
      else buckets.set(key, kept);
    }
  }

  /** A finished answer this alert may have, if any: reusable ones, or also partial ones it waited for. */
  function findAnswer(entries: Entry[], event: AlertEvent, at: number, waitedFor: Set<Entry>): Diagnosis | null {
    for (const entry of entries) {
      if (!entry.reads || !entry.diagnosis || !fresh(entry, at)) continue;
      if (entry.diagnosis.partial && !waitedFor.has(entry)) continue;
      if (readsMatch(entry.reads, event)) return entry.diagnosis;
    }
    return null;
  }

  async function diagnose(event: AlertEvent, signal: AbortSignal): Promise<Diagnosis> {
    if (event.alert.status !== 'firing' || event.requestedBy) return engine.diagnose(event, signal);
    const key = bucketOf(event);
    const entries = () => buckets.get(key) ?? [];
    // Wait for every diagnosis of the bucket that runs, including those that started while this alert waited
    // (another alert about the same object that found no answer either): each is waited for once.
    // Only a running diagnosis whose reads so far match this alert can end in its answer (reads only add up: the
    // cluster, the object and the container are read first), so one about another cluster or container, or one
    // hanging on an unreachable cluster after reading something else, is never waited for; the others are
    // re-checked every RECHECK_MS while they run.
    const waited = new Set<Entry>();
    // One abort listener per alert, made when it first waits (a listener per re-check would pile up).
    let abort: Promise<never> | undefined;
    for (;;) {
      const found = findAnswer(entries(), event, now(), waited);
      if (found) {
        options.onShared?.(found);
        return answerFor(found, event);
      }
      const running = entries().filter((e) => e.reads === null && !waited.has(e) && readsMatch(e.live, event));
      if (running.length === 0) break;
      let timer: NodeJS.Timeout | undefined;
      const recheck = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, RECHECK_MS);
      });
      try {
        abort ??= aborted(signal);
        await Promise.race([Promise.allSettled(running.map((e) => e.done)), recheck, abort]);
      } finally {
        clearTimeout(timer);
      }
      for (const e of running) if (e.reads !== null) waited.add(e);
    }

    let settle = () => {};
    const { view, reads } = recordingView(event);
    const entry: Entry = {
      reads: null,
      live: reads,
      at: now(),
      done: new Promise<void>((resolve) => (settle = resolve)),
    };
    const others = entries();
    buckets.delete(key); // re-inserted last: the least recently used bucket stays first (prune)
    buckets.set(key, [...others, entry]);
    size += 1;
    prune(now());
    try {
      const diagnosis = await engine.diagnose(view, signal);
      entry.diagnosis = diagnosis;
      // A copy: whatever reads the view after the diagnosis (a log line, a serializer) does not change the rule.
      entry.reads = new Map(reads);
      entry.at = now();
      return answerFor(diagnosis, event);
    } catch (error) {
      const kept = entries().filter((e) => e !== entry);
      size -= 1;
      if (kept.length === 0) buckets.delete(key);
      else buckets.set(key, kept);
      throw error;
    } finally {
      settle();
    }
  }

  return { diagnose };
}
