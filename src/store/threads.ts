/**
 * Slack thread state per (channel, Alertmanager groupKey), shared by every replica and surviving restarts.
 * Keys: `<prefix>:slack:thread:{<id>}:<part>` (one hash tag per thread, so the Lua scripts stay in one slot):
 * meta, alerts (fingerprint → status), alert-pair (fingerprint → pair), pairs (pair → diagnosis record),
 * messages (parent / pair → posted ts and rendered hash), and the sync bookkeeping: the lock, and for the
 * debounce of non-urgent passes the pending claim, the last pass, the first and last change not yet shown, and
 * the first change of the pass under way.
 * Over 300 lines because the thread's state and its sync bookkeeping are one key set in one hash slot, written
 * together by the scripts of ./thread-scripts.ts: split, each half would need the other's keys.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Diagnosis, UnavailableAction } from '../types.js';
import { defineScript } from './scripts.js';
import {
  ADVANCE_CLAIM,
  CLAIM_SYNC,
  LOAD,
  RECORD_FIRING,
  RECORD_RESOLVED,
  RELEASE_LOCK,
  RENEW_LOCK,
  START_SYNC,
} from './thread-scripts.js';

export interface ThreadMeta {
  channel: string;
  groupKey: string;
  alertname: string;
  namespace?: string | undefined;
  /** The configured cluster the group's alerts are about, when Medic serves several. */
  cluster?: string | undefined;
  severity?: string | undefined;
  externalURL: string;
  groupLabels: Record<string, string>;
  createdAt: number;
}

export interface ThreadAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** What a person recognises: the pod (or other target) name, else the alertname. */
  label: string;
  labels: Record<string, string>;
  generatorURL: string;
  /** The alert's `runbook_url` and `dashboard_url` annotations (kube-prometheus-stack rules carry the first). */
  runbookURL?: string;
  dashboardURL?: string;
  updatedAt: number;
}

/** One diagnosis reply: a distinct (root cause, workload) pair within the group. */
export interface ThreadPair {
  key: string;
  /** Order of first appearance; replies are posted in this order. */
  seq: number;
  diagnosis: Diagnosis;
  proposalIds: string[];
  unavailable: UnavailableAction[];
  createdAt: number;
}

/** A message Medic posted: its ts, the hash of what it shows, and when that was rendered. */
export interface PostedMessage {
  ts: string;
  hash: string;
  at: number;
  /** A reply's hash without its affected-alerts list (src/slack/thread-sync.ts): tells a list-only change. */
  listFree?: string;
}

export interface ThreadSnapshot {
  id: string;
  meta: ThreadMeta | null;
  alerts: ThreadAlert[];
  /** fingerprint → pair key */
  alertPairs: Record<string, string>;
  pairs: ThreadPair[];
  /** `parent` or a pair key → the posted message */
  messages: Record<string, PostedMessage>;
}

const THREAD_TTL_S = 14 * 86_400;
/** How long a claim outlives its run time: a claim whose job was never queued (a crash) expires after this. */
const CLAIM_SLACK_MS = 60_000;
/** A claim due this close to now is the starting sync's own, whatever the skew between replicas' clocks. */
const CLAIM_SKEW_MS = 100;
/**
 * A claim this late (its job should have run) is returned to the next change, which queues its job again under
 * the same id (a no-op when it exists): a process that died between claiming and queueing loses no change.
 */
const CLAIM_OVERDUE_MS = 5000;
const SNAPSHOT_PARTS = ['meta', 'alerts', 'alert-pair', 'pairs', 'messages'] as const;

/** A message write that can ride along with the lock's release (the last one of a sync). */
export interface MessageWrite {
  name: string;
  message: PostedMessage;
  /** Refresh the messages key's TTL too (see saveMessage). */
  touch: boolean;
}

/**
 * A held thread lock: `renew` extends it (false when it was lost), `release` gives it up, after recording
 * `last` (in the same round trip) when given. `passShown`: the non-urgent pass this sync started (if any) showed
 * every change it took; without it those changes are waiting again (the pass failed).
 */
export interface ThreadLock {
  renew(): Promise<boolean>;
  release(last?: MessageWrite, passShown?: boolean): Promise<void>;
}

/** The debounce of non-urgent passes (src/slack/sync-scheduler.ts): quiet for `quietMs`, or `maxWaitMs` at most. */
export interface SyncTiming {
  quietMs: number;
  maxWaitMs: number;
}

/** A sync that holds the thread: the state it was started on, and what the debounce decided (see startSync). */
export interface StartedSync {
  lock: ThreadLock;
  snapshot: ThreadSnapshot;
  /** The non-urgent pass is due: edit every changed message. */
  pass: boolean;
  /** The pass is due and the thread has been quiet for `quietMs` since its last change (not due for age). */
  quiet: boolean;
  /** Not due yet: when the pending delayed sync runs (the caller makes sure its job is queued); null: no change waits. */
  claimAt: number | null;
}

/** What a firing alert adds to its thread (one script): the group's meta, the alert, and maybe a new pair. */
export interface FiringRecord {
  /** Stored the first time the thread is seen; later calls keep the first. */
  meta: ThreadMeta;
  alert: ThreadAlert;
  pairKey: string;
  /** The pair to add unless it exists (its seq is assigned by the store); omit it when the pair exists. */
  newPair?: Omit<ThreadPair, 'seq' | 'key'>;
}

export interface ThreadStore {
  threadId(channel: string, groupKey: string): string;
  /**
   * Records a firing alert: the meta (first one kept), the alert's status and pair, and `newPair` unless the
   * pair exists; `added` when this call added the pair. Refreshes the TTL of everything it touches. With `claim`,
   * an alert that added no pair is also a change to show, claimed in the same round trip as claimSync does:
   * `claimAt` is what claimSync would answer (null without `claim`, or when the pair was added).
   */
  recordFiring(
    id: string,
    record: FiringRecord,
    claim?: { now: number; timing: SyncTiming },
  ): Promise<{ added: boolean; claimAt: number | null }>;
  /** Records a resolve in a thread Medic knows (has meta); false, and nothing written, for an unknown thread. */
  recordResolved(id: string, alert: ThreadAlert): Promise<boolean>;
  hasPair(id: string, pairKey: string): Promise<boolean>;
  load(id: string): Promise<ThreadSnapshot>;
  /**
   * Writes one posted message's ts and hash; `touch` also refreshes the messages key's TTL (once per sync
   * is enough, and the first write of a sync must do it, as it may create the key).
   */
  saveMessage(id: string, name: string, message: PostedMessage, options?: { touch?: boolean }): Promise<void>;
  /**
   * Records a change the thread's messages should show (at `now`) and claims the one pending non-urgent sync:
   * its run time (when it is due, see startSync), or null when one is claimed already — unless that claim is
   * CLAIM_OVERDUE_MS late: then its run time again, for the caller to queue its job again (same id). A new claim
   * runs no sooner than `notBefore` when given.
   */
  claimSync(id: string, now: number, timing: SyncTiming, notBefore?: number): Promise<number | null>;
  /**
   * Brings the thread's pending claim forward to `to` if it is later: its old run time (the caller queues the job
   * for `to` and drops the old one), or null when no claim is later than `to`.
   */
  advanceClaim(id: string, now: number, to: number): Promise<number | null>;
  /** Drops a claim whose job could not be queued, so the next change claims again. */
  cancelSyncClaim(id: string): Promise<void>;
  /**
   * Takes the thread's lock (one writer per thread across replicas) and reads the snapshot under it; null, and
   * nothing written, when another writer holds it. With `timing`, decides in the same step whether the non-urgent
   * pass is due (the thread quiet for quietMs since its last change, or its first change waiting maxWaitMs; never
   * within quietMs of the previous pass): then the pass takes every change recorded so far; otherwise the pending
   * claim stands, or is made (a claim due now is this sync's own and is renewed).
   */
  startSync(id: string, now: number, lockTtlMs: number, timing?: SyncTiming): Promise<StartedSync | null>;
}

type RawSnapshot = [string | null, string[], string[], string[], string[]];
type RawStart = [number, number, RawSnapshot];

/** A flat HGETALL reply from a script ([field, value, …]) as an object. */
function pairsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}

function parseSnapshot(id: string, [meta, alerts, alertPairs, pairs, messages]: RawSnapshot): ThreadSnapshot {
  const values = <T>(flat: string[]) => {
    const out: T[] = [];
    for (let i = 1; i < flat.length; i += 2) out.push(JSON.parse(flat[i] as string) as T);
    return out;
  };
  const posted: Record<string, PostedMessage> = {};
  for (const [name, raw] of Object.entries(pairsOf(messages))) posted[name] = JSON.parse(raw) as PostedMessage;
  return {
    id,
    meta: meta ? (JSON.parse(meta) as ThreadMeta) : null,
    alerts: values<ThreadAlert>(alerts).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
    alertPairs: pairsOf(alertPairs),
    pairs: values<ThreadPair>(pairs).sort((a, b) => a.seq - b.seq),
    messages: posted,
  };
}

export function createThreadStore(redis: Redis, prefix: string): ThreadStore {
  const k = (id: string, part: string) => `${prefix}:slack:thread:{${id}}:${part}`;
  const snapshotKeys = (id: string) => SNAPSHOT_PARTS.map((part) => k(id, part));
  const claimSync = defineScript<number>(redis, 'medicThreadClaimSync', 4, CLAIM_SYNC);
  const advanceClaim = defineScript<number>(redis, 'medicThreadAdvanceClaim', 1, ADVANCE_CLAIM);
  const releaseLock = defineScript<number>(redis, 'medicThreadReleaseLock', 5, RELEASE_LOCK);
  const renewLock = defineScript<number>(redis, 'medicThreadRenewLock', 1, RENEW_LOCK);
  const recordFiring = defineScript<[number, number]>(redis, 'medicThreadRecordFiring', 9, RECORD_FIRING);
  const claimKeys = (id: string) =>
    (['sync-pending', 'sync-last', 'sync-first', 'sync-change'] as const).map((part) => k(id, part));
  const claimArgs = (now: number, { quietMs, maxWaitMs }: SyncTiming) =>
    [now, quietMs, maxWaitMs, CLAIM_SLACK_MS, THREAD_TTL_S, CLAIM_OVERDUE_MS] as const;
  const recordResolved = defineScript<number>(redis, 'medicThreadRecordResolved', 3, RECORD_RESOLVED);
  const load = defineScript<RawSnapshot>(redis, 'medicThreadLoad', 5, LOAD);
  const startSync = defineScript<RawStart | null>(redis, 'medicThreadStartSync', 11, START_SYNC);

  const heldLock = (id: string, token: string, ttlMs: number, timing?: SyncTiming): ThreadLock => ({
    async renew() {
      return (await renewLock(k(id, 'lock'), token, ttlMs)) === 1;
    },
    async release(last, passShown = false) {
      const write = last ? [last.name, JSON.stringify(last.message), last.touch ? THREAD_TTL_S : ''] : [];
      const keys = [k(id, 'lock'), k(id, 'messages'), k(id, 'sync-taken'), k(id, 'sync-first'), k(id, 'sync-last')];
      await releaseLock(...keys, token, passShown ? '1' : '0', THREAD_TTL_S, timing?.maxWaitMs ?? 0, ...write);
    },
  });
  const newToken = () => randomBytes(8).toString('hex');

  return {
    threadId(channel, groupKey) {
      return `t${createHash('sha256').update(`${channel}\n${groupKey}`).digest('hex').slice(0, 32)}`;
    },

    async recordFiring(id, { meta, alert, pairKey, newPair }, claim) {
      // The pair JSON without its '{': the script puts the seq in front.
      const pairTail = newPair ? JSON.stringify({ key: pairKey, ...newPair }).slice(1) : '';
      const [added, claimed] = await recordFiring(
        ...(['meta', 'alerts', 'alert-pair', 'pairs', 'seq'] as const).map((part) => k(id, part)),
        ...claimKeys(id),
        THREAD_TTL_S,
        JSON.stringify(meta),
        alert.fingerprint,
        JSON.stringify(alert),
        pairKey,
        pairTail,
        ...(claim ? claimArgs(claim.now, claim.timing) : []),
      );
      return { added: added === 1, claimAt: claimed < 0 ? null : claimed };
    },

    async recordResolved(id, alert) {
      const keys = (['meta', 'alerts', 'alert-pair'] as const).map((part) => k(id, part));
      return (await recordResolved(...keys, THREAD_TTL_S, alert.fingerprint, JSON.stringify(alert))) === 1;
    },

    async hasPair(id, pairKey) {
      return (await redis.hexists(k(id, 'pairs'), pairKey)) === 1;
    },

    async load(id) {
      return parseSnapshot(id, await load(...snapshotKeys(id)));
    },

    async saveMessage(id, name, message, options = {}) {
      const pipeline = redis.pipeline().hset(k(id, 'messages'), name, JSON.stringify(message));
      if (options.touch !== false) pipeline.expire(k(id, 'messages'), THREAD_TTL_S);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },

    async claimSync(id, now, timing, notBefore) {
      const runAt = await claimSync(
        ...claimKeys(id),
        ...claimArgs(now, timing),
        ...(notBefore === undefined ? [] : [Math.round(notBefore)]),
      );
      return runAt < 0 ? null : runAt;
    },

    async advanceClaim(id, now, to) {
      const old = await advanceClaim(k(id, 'sync-pending'), Math.round(now), Math.round(to), CLAIM_SLACK_MS);
      return old < 0 ? null : old;
    },

    async cancelSyncClaim(id) {
      await redis.del(k(id, 'sync-pending'));
    },

    async startSync(id, now, lockTtlMs, timing) {
      const token = newToken();
      const sync = ['sync-pending', 'sync-last', 'sync-first', 'sync-change', 'sync-taken'] as const;
      const keys = [k(id, 'lock'), ...sync.map((part) => k(id, part)), ...snapshotKeys(id)];
      const debounce = timing ? [timing.quietMs, timing.maxWaitMs, CLAIM_SLACK_MS, CLAIM_SKEW_MS] : [];
      const raw = await startSync(...keys, now, THREAD_TTL_S, token, lockTtlMs, ...debounce);
      if (!raw) return null;
      const [pass, claim, snapshot] = raw;
      return {
        lock: heldLock(id, token, lockTtlMs, timing),
        snapshot: parseSnapshot(id, snapshot),
        pass: pass >= 1,
        quiet: pass === 2,
        claimAt: claim < 0 ? null : claim,
      };
    },
  };
}
