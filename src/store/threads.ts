/**
 * Slack thread state per (channel, Alertmanager groupKey), shared by every replica and surviving restarts.
 * Keys: `<prefix>:slack:thread:{<id>}:<part>` (one hash tag per thread, so the Lua scripts stay in one slot):
 * meta, alerts (fingerprint → status), alert-pair (fingerprint → pair), pairs (pair → diagnosis record),
 * messages (parent / pair → posted ts and rendered hash), and the sync bookkeeping (pending, last, lock).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Diagnosis } from '../types.js';

export interface ThreadMeta {
  channel: string;
  groupKey: string;
  alertname: string;
  namespace?: string | undefined;
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
  updatedAt: number;
}

/** One diagnosis reply: a distinct (root cause, workload) pair within the group. */
export interface ThreadPair {
  key: string;
  /** Order of first appearance; replies are posted in this order. */
  seq: number;
  diagnosis: Diagnosis;
  proposalIds: string[];
  unavailable: { kind: string; title: string; reason: string }[];
  createdAt: number;
}

/** A message Medic posted: its ts, the hash of what it shows, and when that was rendered. */
export interface PostedMessage {
  ts: string;
  hash: string;
  at: number;
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

// KEYS[1] = pending, KEYS[2] = last sync start. ARGV = now, interval, slack ms.
// Returns the time the next sync should run, or -1 when one is already pending.
const CLAIM_SYNC = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local now = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local runAt = math.max(now, last + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], runAt, 'PX', runAt - now + tonumber(ARGV[3]))
return runAt
`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** A held thread lock: `renew` extends it (false when it was lost), `release` gives it up. */
export interface ThreadLock {
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface ThreadStore {
  threadId(channel: string, groupKey: string): string;
  /** Stores the group's description the first time the thread is seen; later calls keep the first. */
  saveMeta(id: string, meta: ThreadMeta): Promise<void>;
  /** Records an alert's latest status and, for a firing alert, the pair whose reply lists it. */
  recordAlert(id: string, alert: ThreadAlert, pairKey?: string): Promise<void>;
  hasPair(id: string, pairKey: string): Promise<boolean>;
  /** Adds a pair unless it exists; true when this call added it. */
  addPair(id: string, pair: Omit<ThreadPair, 'seq'>): Promise<boolean>;
  load(id: string): Promise<ThreadSnapshot>;
  saveMessage(id: string, name: string, message: PostedMessage): Promise<void>;
  /** Time of the last chat.update in this thread (for coalescing), 0 if none. */
  lastUpdateAt(id: string): Promise<number>;
  markUpdated(id: string, at: number): Promise<void>;
  /** Claims the next coalesced sync: its run time, or null when one is already pending. */
  claimSync(id: string, now: number, intervalMs: number): Promise<number | null>;
  /** Drops a claim whose job could not be queued, so the next change claims again. */
  cancelSyncClaim(id: string): Promise<void>;
  /** A sync started: later changes need a new one. */
  beginSync(id: string, now: number): Promise<void>;
  /** One writer per thread at a time, across replicas; returns a release function or null when busy. */
  lock(id: string, ttlMs: number): Promise<ThreadLock | null>;
}

export function createThreadStore(redis: Redis, prefix: string): ThreadStore {
  const k = (id: string, part: string) => `${prefix}:slack:thread:{${id}}:${part}`;
  const touch = (id: string, parts: string[]) => {
    const pipeline = redis.pipeline();
    for (const part of parts) pipeline.expire(k(id, part), THREAD_TTL_S);
    return pipeline.exec();
  };

  return {
    threadId(channel, groupKey) {
      return `t${createHash('sha256').update(`${channel}\n${groupKey}`).digest('hex').slice(0, 32)}`;
    },

    async saveMeta(id, meta) {
      await redis.set(k(id, 'meta'), JSON.stringify(meta), 'EX', THREAD_TTL_S, 'NX');
    },

    async recordAlert(id, alert, pairKey) {
      const multi = redis.multi().hset(k(id, 'alerts'), alert.fingerprint, JSON.stringify(alert));
      if (pairKey) multi.hset(k(id, 'alert-pair'), alert.fingerprint, pairKey);
      await multi.exec();
      await touch(id, ['meta', 'alerts', 'alert-pair']);
    },

    async hasPair(id, pairKey) {
      return (await redis.hexists(k(id, 'pairs'), pairKey)) === 1;
    },

    async addPair(id, pair) {
      if (await this.hasPair(id, pair.key)) return false;
      const seq = await redis.incr(k(id, 'seq'));
      const added = await redis.hsetnx(k(id, 'pairs'), pair.key, JSON.stringify({ ...pair, seq }));
      await touch(id, ['pairs', 'seq']);
      return added === 1;
    },

    async load(id) {
      const [meta, alerts, alertPairs, pairs, messages] = await redis
        .multi()
        .get(k(id, 'meta'))
        .hgetall(k(id, 'alerts'))
        .hgetall(k(id, 'alert-pair'))
        .hgetall(k(id, 'pairs'))
        .hgetall(k(id, 'messages'))
        .exec()
        .then((rows) =>
          (rows ?? []).map(([error, value]) => {
            if (error) throw error;
            return value;
          }),
        );
      const values = <T>(hash: unknown) => Object.values(hash as Record<string, string>).map((v) => JSON.parse(v) as T);
      const posted: Record<string, PostedMessage> = {};
      for (const [name, raw] of Object.entries(messages as Record<string, string>)) posted[name] = JSON.parse(raw);
      return {
        id,
        meta: meta ? (JSON.parse(meta as string) as ThreadMeta) : null,
        alerts: values<ThreadAlert>(alerts).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)),
        alertPairs: alertPairs as Record<string, string>,
        pairs: values<ThreadPair>(pairs).sort((a, b) => a.seq - b.seq),
        messages: posted,
      };
    },

    async saveMessage(id, name, message) {
      await redis.hset(k(id, 'messages'), name, JSON.stringify(message));
      await touch(id, ['messages']);
    },

    async lastUpdateAt(id) {
      return Number((await redis.get(k(id, 'last-update'))) ?? 0);
    },

    async markUpdated(id, at) {
      await redis.set(k(id, 'last-update'), String(at), 'EX', THREAD_TTL_S);
    },

    async claimSync(id, now, intervalMs) {
      const runAt = (await redis.eval(
        CLAIM_SYNC,
        2,
        k(id, 'sync-pending'),
        k(id, 'sync-last'),
        String(now),
        String(intervalMs),
        '60000',
      )) as number;
      return runAt < 0 ? null : runAt;
    },

    async cancelSyncClaim(id) {
      await redis.del(k(id, 'sync-pending'));
    },

    async beginSync(id, now) {
      await redis.multi().del(k(id, 'sync-pending')).set(k(id, 'sync-last'), String(now), 'EX', THREAD_TTL_S).exec();
    },

    async lock(id, ttlMs) {
      const token = randomBytes(8).toString('hex');
      const ok = await redis.set(k(id, 'lock'), token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') return null;
      return {
        async renew() {
          return (await redis.eval(RENEW_LOCK, 1, k(id, 'lock'), token, String(ttlMs))) === 1;
        },
        async release() {
          await redis.eval(RELEASE_LOCK, 1, k(id, 'lock'), token);
        },
      };
    },
  };
}
