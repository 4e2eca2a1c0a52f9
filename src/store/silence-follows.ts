/**
 * What the silence follower (src/incidents/silence-follow.ts) keeps in Redis, per alert group (g = a hash of
 * the groupKey):
 *  - `<prefix>:group-alerts:<g>`: the group's firing alerts as they arrived (fingerprint → AlertEvent JSON), so
 *    a silenced alert that ends can be resolved as if its resolve had arrived; `<prefix>:group-alerts-index`
 *    maps g → groupKey for every group with a firing alert (what the sweep matches against Alertmanager).
 *  - `<prefix>:silence-follow:<g>`: the follow of a silenced group (JSON), and `<prefix>:silence-follow-index`,
 *    the set of followed g's (what the sweep's watchdog walks).
 * Everything expires with the Slack thread (14 days) if nothing resolves it.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Redis } from './redis.js';
import { defineScript } from './scripts.js';

/** The silence a followed group is under, as Alertmanager describes it. */
export interface FollowedSilence {
  id: string;
  createdBy?: string;
  comment?: string;
  /** ISO time the silence ends. */
  endsAt?: string;
}

export interface SilenceFollow {
  groupKey: string;
  /** The labels the group was grouped by: the `filter` of each check. */
  groupLabels: Record<string, string>;
  /** `medic`: an approved `silence` proposal; `alertmanager`: a silence someone made there. */
  source: 'medic' | 'alertmanager';
  proposalId?: string;
  /** The Slack user who approved Medic's silence. */
  approvedBy?: string;
  silence: FollowedSilence;
  /** From the last check: how many of the group's firing alerts the silence covers. */
  silenced: number;
  firing: number;
  startedAt: number;
  /** When the next check runs; its job id is made from it, so a re-queued check is the same job. */
  nextAt: number;
}

export interface OpenGroup {
  id: string;
  groupKey: string;
  fingerprints: string[];
}

export interface SilenceFollowStore {
  groupId(groupKey: string): string;
  /** A firing alert of a group (a repeat overwrites it). */
  addFiring(event: AlertEvent): Promise<void>;
  /** A resolved alert leaves its group; the group leaves the index with its last alert. */
  removeResolved(event: AlertEvent): Promise<void>;
  firingOf(groupKey: string): Promise<AlertEvent[]>;
  /** Every group with a firing alert, and their fingerprints. */
  openGroups(): Promise<OpenGroup[]>;
  getFollow(groupId: string): Promise<SilenceFollow | null>;
  /** Stores a new follow unless the group has one; true when this call stored it. */
  startFollow(follow: SilenceFollow): Promise<boolean>;
  /** Updates a follow that still exists. */
  saveFollow(follow: SilenceFollow): Promise<void>;
  endFollow(groupKey: string): Promise<void>;
  followedGroups(): Promise<string[]>;
}

const TTL_S = 14 * 86_400;

// KEYS: group alerts, index. ARGV: ttl s, fingerprint, event JSON, group id, groupKey.
const ADD_FIRING = `
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
return 1
`;

// KEYS: group alerts, index. ARGV: fingerprint, group id. The index forgets a group with no firing alert left.
const REMOVE_RESOLVED = `
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
return 1
`;

export function createSilenceFollowStore(redis: Redis, prefix: string): SilenceFollowStore {
  const groupId = (groupKey: string) => createHash('sha1').update(groupKey).digest('hex').slice(0, 24);
  const alertsKey = (g: string) => `${prefix}:group-alerts:${g}`;
  const indexKey = `${prefix}:group-alerts-index`;
  const followKey = (g: string) => `${prefix}:silence-follow:${g}`;
  const followIndex = `${prefix}:silence-follow-index`;
  const addFiring = defineScript<number>(redis, 'medicGroupAlertsAdd', 2, ADD_FIRING);
  const removeResolved = defineScript<number>(redis, 'medicGroupAlertsRemove', 2, REMOVE_RESOLVED);
  const parse = (raw: string | null) => (raw ? (JSON.parse(raw) as SilenceFollow) : null);

  async function exec(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    return results.map(([, value]) => value);
  }

  return {
    groupId,
    async addFiring(event) {
      const g = groupId(event.groupKey);
      await addFiring(alertsKey(g), indexKey, TTL_S, event.alert.fingerprint, JSON.stringify(event), g, event.groupKey);
    },
    async removeResolved(event) {
      const g = groupId(event.groupKey);
      await removeResolved(alertsKey(g), indexKey, event.alert.fingerprint, g);
    },
    async firingOf(groupKey) {
      const values = await redis.hvals(alertsKey(groupId(groupKey)));
      return values.map((v) => JSON.parse(v) as AlertEvent).sort((a, b) => a.receivedAt - b.receivedAt);
    },
    async openGroups() {
      const index = await redis.hgetall(indexKey);
      const ids = Object.keys(index);
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const g of ids) pipeline.hkeys(alertsKey(g));
      const keys = (await exec(pipeline)) as string[][];
      const open: OpenGroup[] = [];
      const gone: string[] = [];
      ids.forEach((g, i) => {
        const fingerprints = keys[i] ?? [];
        if (fingerprints.length === 0) gone.push(g);
        else open.push({ id: g, groupKey: index[g] as string, fingerprints });
      });
      // A group whose alerts expired unresolved (14 days) leaves the index here.
      if (gone.length > 0) await redis.hdel(indexKey, ...gone);
      return open;
    },
    async getFollow(g) {
      return parse(await redis.get(followKey(g)));
    },
    async startFollow(follow) {
      const g = groupId(follow.groupKey);
      const [stored] = await exec(
        redis.multi().set(followKey(g), JSON.stringify(follow), 'EX', TTL_S, 'NX').sadd(followIndex, g),
      );
      return stored === 'OK';
    },
    async saveFollow(follow) {
      // XX: a follow ended meanwhile (by another replica's check) stays ended.
      await redis.set(followKey(groupId(follow.groupKey)), JSON.stringify(follow), 'KEEPTTL', 'XX');
    },
    async endFollow(groupKey) {
      const g = groupId(groupKey);
      await exec(redis.multi().del(followKey(g)).srem(followIndex, g));
    },
    async followedGroups() {
      const ids = await redis.smembers(followIndex);
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map(followKey));
      // A follow that expired leaves the index here.
      const gone = ids.filter((_, i) => values[i] === null);
      if (gone.length > 0) await redis.srem(followIndex, ...gone);
      return ids.filter((_, i) => values[i] !== null);
    },
  };
}
