/**
 * Proposals in Redis: one JSON document per id (`<prefix>:proposal:<id>`). State changes are one Lua script
 * that checks existence, expiry and the current state and writes the new state in the same step, so two
 * clicks, two approvers or two replicas can never both move a proposal out of `proposed`.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Proposal, ProposalState, Target, Verification } from '../types.js';

/** A proposal plus the incident it belongs to (diagnosis proposals): the alert group and its pair. */
export interface ProposalRecord extends Proposal {
  groupKey?: string;
  pairKey?: string;
  /** The alert whose diagnosis proposed it and that diagnosis's target: what a check after it diagnoses again. */
  alert?: AlertEvent;
  target?: Target | null;
}

export type TransitionResult =
  | { ok: true; proposal: ProposalRecord }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'expired' | 'state'; proposal: ProposalRecord };

/** How long a proposal stays readable after it expires, so a late click learns "expired", not "unknown". */
const RETAIN_AFTER_EXPIRY_MS = 7 * 86_400_000;

/**
 * One hash per proposal: `base` (the immutable JSON: kind, params, diff, origin, …), `expiresAt`, `state`, and
 * the mutable fields as JSON strings. The script never decodes JSON, so nothing is reshaped by Lua's cjson.
 * KEYS[1] = proposal key; ARGV = now, allowed states (comma list), new state, honour expiry (1/0), field, value…
 */
const TRANSITION_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'unknown'} end
if ARGV[4] == '1' and state == 'proposed' and tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) <= tonumber(ARGV[1]) then
  return {'expired'}
end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do
  if s == state then allowed = true end
end
if not allowed then return {'state'} end
redis.call('HSET', KEYS[1], 'state', ARGV[3])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {'ok'}
`;

const MUTABLE = ['approvedBy', 'outcome', 'message', 'verification'] as const;
type Mutable = Pick<Proposal, (typeof MUTABLE)[number]>;

export interface ProposalStore {
  /** A new random id, valid as a BullMQ job id. */
  newId(): string;
  create(proposal: ProposalRecord): Promise<void>;
  get(id: string): Promise<ProposalRecord | null>;
  getMany(ids: string[]): Promise<(ProposalRecord | null)[]>;
  /**
   * Atomically moves a proposal from one of `from` to `to`, merging `patch`. With `honourExpiry`, a
   * `proposed` proposal past its expiry is refused as `expired`.
   */
  transition(
    id: string,
    from: ProposalState[],
    to: ProposalState,
    patch: Partial<Pick<Proposal, 'approvedBy' | 'outcome' | 'message'>>,
    options: { now: number; honourExpiry?: boolean },
  ): Promise<TransitionResult>;
  /** Records where the proposal is shown (a message ts) without changing its state. */
  setMessage(id: string, message: NonNullable<Proposal['message']>): Promise<void>;
  /** setMessage for several proposals shown in one message, in one round trip. */
  setMessages(ids: string[], message: NonNullable<Proposal['message']>): Promise<void>;
  /**
   * Records the check after the action, once: the first record wins (another replica's, or an earlier attempt's)
   * and is what comes back; `created` says whether this call wrote it. Null for an unknown proposal.
   */
  recordVerification(
    id: string,
    verification: Verification,
  ): Promise<{ created: boolean; proposal: ProposalRecord } | null>;
}

// KEYS[1] = proposal key; ARGV[1] = verification JSON. Written only on an existing proposal without one.
const RECORD_VERIFICATION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('HSETNX', KEYS[1], 'verification', ARGV[1])
`;

const ID_PATTERN = /^p[0-9a-f]{20}$/;

function decode(hash: Record<string, string>): ProposalRecord | null {
  if (!hash.base || !hash.state) return null;
  const proposal = JSON.parse(hash.base) as ProposalRecord;
  proposal.state = hash.state as ProposalState;
  for (const field of MUTABLE) {
    const raw = hash[field];
    if (raw !== undefined) Object.assign(proposal, { [field]: JSON.parse(raw) });
  }
  return proposal;
}

function encodePatch(patch: Partial<Mutable>): string[] {
  return MUTABLE.flatMap((field) => (patch[field] === undefined ? [] : [field, JSON.stringify(patch[field])]));
}

export function createProposalStore(redis: Redis, prefix: string): ProposalStore {
  const key = (id: string) => `${prefix}:proposal:${id}`;
  const load = async (id: string) => decode(await redis.hgetall(key(id)));

  async function transition(
    id: string,
    from: ProposalState[],
    to: ProposalState,
    patch: Partial<Mutable>,
    options: { now: number; honourExpiry?: boolean },
  ): Promise<TransitionResult> {
    if (!ID_PATTERN.test(id)) return { ok: false, reason: 'unknown' };
    const args = [String(options.now), from.join(','), to, options.honourExpiry ? '1' : '0', ...encodePatch(patch)];
    const [status] = (await redis.eval(TRANSITION_SCRIPT, 1, key(id), ...args)) as [string];
    const proposal = await load(id);
    if (status === 'unknown' || !proposal) return { ok: false, reason: 'unknown' };
    if (status === 'ok') return { ok: true, proposal };
    return { ok: false, reason: status === 'expired' ? 'expired' : 'state', proposal };
  }

  return {
    newId: () => `p${randomBytes(10).toString('hex')}`,

    async create(proposal) {
      const { state, approvedBy, outcome, message, verification, ...base } = proposal;
      const fields = ['base', JSON.stringify(base), 'expiresAt', String(proposal.expiresAt), 'state', state];
      fields.push(...encodePatch({ approvedBy, outcome, message, verification }));
      const ttl = Math.max(1, proposal.expiresAt - Date.now()) + RETAIN_AFTER_EXPIRY_MS;
      await redis
        .multi()
        .hset(key(proposal.id), ...fields)
        .pexpire(key(proposal.id), ttl)
        .exec();
    },

    async get(id) {
      if (!ID_PATTERN.test(id)) return null;
      return load(id);
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(key(id));
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, hash]) => {
        if (error) throw error;
        return decode(hash as Record<string, string>);
      });
    },

    transition,

    async setMessage(id, message) {
      if (ID_PATTERN.test(id)) await redis.hset(key(id), 'message', JSON.stringify(message));
    },

    async recordVerification(id, verification) {
      if (!ID_PATTERN.test(id)) return null;
      const written = (await redis.eval(RECORD_VERIFICATION, 1, key(id), JSON.stringify(verification))) as number;
      const proposal = written === -1 ? null : await load(id);
      return proposal ? { created: written === 1, proposal } : null;
    },

    async setMessages(ids, message) {
      const valid = ids.filter((id) => ID_PATTERN.test(id));
      if (valid.length === 0) return;
      const json = JSON.stringify(message);
      const pipeline = redis.pipeline();
      for (const id of valid) pipeline.hset(key(id), 'message', json);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },
  };
}
