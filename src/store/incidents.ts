/**
 * What an alert group has been offered, whatever shows it: per (root cause, workload) pair, the proposals made
 * for it (and the actions whose dry run failed). Key: `<prefix>:incident:<sha1(groupKey)>`, a hash pair key →
 * JSON. Written once per pair (HSETNX), so two jobs of one group that race settle on the first one's proposals.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UnavailableAction } from '../types.js';

/** The proposals a pair carries, or why an action got none. */
export interface IncidentPair {
  key: string;
  proposalIds: string[];
  unavailable: UnavailableAction[];
  createdAt: number;
}

export interface IncidentStore {
  getPair(groupKey: string, pairKey: string): Promise<IncidentPair | null>;
  /** Stores `pair` unless the group has it already; returns the stored one (this or the earlier). */
  addPair(groupKey: string, pair: IncidentPair): Promise<IncidentPair>;
}

/** As long as a Slack thread is kept: a pair seen again within it must not be proposed twice. */
const INCIDENT_TTL_S = 14 * 86_400;

export function createIncidentStore(redis: Redis, prefix: string): IncidentStore {
  const key = (groupKey: string) =>
    `${prefix}:incident:${createHash('sha1').update(groupKey).digest('hex').slice(0, 24)}`;
  const getPair = async (groupKey: string, pairKey: string) => {
    const raw = await redis.hget(key(groupKey), pairKey);
    return raw ? (JSON.parse(raw) as IncidentPair) : null;
  };
  return {
    getPair,
    async addPair(groupKey, pair) {
      const k = key(groupKey);
      const [[error, added] = [null, 0]] =
        (await redis.multi().hsetnx(k, pair.key, JSON.stringify(pair)).expire(k, INCIDENT_TTL_S).exec()) ?? [];
      if (error) throw error;
      if (added === 1) return pair;
      return (await getPair(groupKey, pair.key)) ?? pair;
    },
  };
}
