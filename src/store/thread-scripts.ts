/**
 * The thread store's Lua scripts (src/store/threads.ts runs them as EVALSHA through src/store/scripts.ts):
 * each multi-key step on one thread is one round trip and one atomic step. Every key a script writes gets the
 * thread TTL again. Key order follows the comments; the snapshot keys are meta, alerts, alert-pair, pairs,
 * messages (SNAPSHOT_PARTS in threads.ts).
 */

// KEYS: pending, last sync start. ARGV: now, interval, slack ms.
// Returns the time the next sync should run, or -1 when one is already pending.
export const CLAIM_SYNC = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local now = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local runAt = math.max(now, last + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], runAt, 'PX', runAt - now + tonumber(ARGV[3]))
return runAt
`;

// KEYS: lock, messages. ARGV: token, then optionally a message to record first (whether or not the lock is
// still held: the post happened): name, JSON, ttl s to refresh the messages key with ('' for none).
export const RELEASE_LOCK = `
if ARGV[2] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  if ARGV[4] ~= '' then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// KEYS: meta, alerts, alert-pair, pairs, seq. ARGV: ttl s, meta JSON, fingerprint, alert JSON, pair key,
// the pair's JSON without its opening brace ('' when the caller knows the pair exists): added unless it exists,
// with its seq (order of first appearance, the same counter as ever) put in front. Returns 1 when added.
export const RECORD_FIRING = `
local ttl = ARGV[1]
if not redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'NX') then redis.call('EXPIRE', KEYS[1], ttl) end
local added = 0
if ARGV[6] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[5]) == 0 then
  local seq = redis.call('INCR', KEYS[5])
  redis.call('EXPIRE', KEYS[5], ttl)
  added = redis.call('HSETNX', KEYS[4], ARGV[5], '{"seq":' .. seq .. ',' .. ARGV[6])
end
redis.call('EXPIRE', KEYS[4], ttl)
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
redis.call('EXPIRE', KEYS[3], ttl)
return added
`;

// KEYS: meta, alerts, alert-pair. ARGV: ttl s, fingerprint, alert JSON. A thread without meta is left alone (0).
export const RECORD_RESOLVED = `
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[1])
return 1
`;

// KEYS: meta, alerts, alert-pair, pairs, messages. The whole thread state, read in one atomic step.
const SNAPSHOT_READS = `
local function snapshot(k)
  return {redis.call('GET', k[1]), redis.call('HGETALL', k[2]), redis.call('HGETALL', k[3]),
    redis.call('HGETALL', k[4]), redis.call('HGETALL', k[5])}
end
`;
export const LOAD = `${SNAPSHOT_READS}return snapshot(KEYS)`;

// KEYS: pending, last sync start, lock, then the five snapshot keys. ARGV: now, ttl s, lock token, lock ttl ms.
// The sync starts (pending claim dropped, start time recorded), then the lock; with the lock, the snapshot it was
// taken on. Without it: nil.
export const START_SYNC = `${SNAPSHOT_READS}
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
if not redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4], 'NX') then return false end
return snapshot({KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]})
`;
