/**
 * The thread store's Lua scripts (src/store/threads.ts runs them as EVALSHA through src/store/scripts.ts):
 * each multi-key step on one thread is one round trip and one atomic step. Every key a script writes gets the
 * thread TTL again. Key order follows the comments; the snapshot keys are meta, alerts, alert-pair, pairs,
 * messages (SNAPSHOT_PARTS in threads.ts).
 */

// When the next non-urgent pass is due (ms): when the thread has been quiet for `quiet` since its last change,
// or when its oldest change not yet shown is `maxWait` old, whichever comes first; never sooner than `quiet`
// after the previous pass started, and within the thread's edit budget: on average one pass per `maxWait`, with
// two passes in hand (a generic cell rate algorithm: `budget` is the theoretical time of the next pass; a pass for
// quiet may run up to 2 × `maxWait` ahead of it, one for a change `maxWait` old not ahead of it). So while a storm
// keeps a thread busy its passes come once per `maxWait` and the passes in hand are left for the settle, ~`quiet`
// after the storm stops, even when one pause of the storm was long enough for a quiet pass; a thread changing in
// bursts with pauses longer than `quiet` spends them early and still gets at most ⌊span / maxWait⌋ + 3 passes.
// The last-pass key holds '<start>:<budget>' (a bare '<start>', as written before the budget, reads as budget 0).
const DUE_AT = `
local function lastPass(value)
  if not value then return 0, 0 end
  local start, budget = string.match(value, '^(%d+):?(%d*)$')
  return tonumber(start) or 0, tonumber(budget) or 0
end
local function dueAt(first, change, lastValue, quiet, maxWait)
  local last, budget = lastPass(lastValue)
  local whenQuiet = math.max(change + quiet, budget - 2 * maxWait)
  local whenOld = math.max(first + maxWait, budget)
  return math.max(math.min(whenQuiet, whenOld), last + quiet)
end
-- A pass starts at now: the budget is spent when it finishes (spendBudget), so a failed pass costs nothing.
local function passStarted(now, lastValue)
  local _, budget = lastPass(lastValue)
  return string.format('%d:%d', now, budget)
end
local function spendBudget(lastValue, maxWait)
  local start, budget = lastPass(lastValue)
  return string.format('%d:%d', start, math.max(budget, start) + maxWait)
end
`;

// A change to show (the change path, once per change). k: pending, last pass, first change, last change keys;
// a: now, quiet ms, max wait ms, slack ms, ttl s, overdue ms, optionally not-before ms (ARGV strings from index
// `at` on). Records the change, then claims the thread's one pending delayed sync at its due time, not before
// not-before (the claim outlives that time by the slack, so a claim whose job was never queued expires). Returns
// that time, or -1 when a sync is claimed already (its job re-checks when it runs) — unless that claim is overdue
// by more than `overdue`: then its time, so the caller queues its job again (the same job id: nothing when the
// job exists), in case the process that claimed it died before queueing it.
const CLAIM = `${DUE_AT}
local function claim(k, at)
  local now, ttl = tonumber(ARGV[at]), ARGV[at + 4]
  redis.call('SET', k[4], now, 'EX', ttl)
  redis.call('SET', k[3], now, 'EX', ttl, 'NX')
  local pending = tonumber(redis.call('GET', k[1]))
  if pending then
    if pending + tonumber(ARGV[at + 5]) < now then return pending end
    return -1
  end
  local first = tonumber(redis.call('GET', k[3]))
  local due = dueAt(first, now, redis.call('GET', k[2]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]))
  local runAt = math.max(now, due, tonumber(ARGV[at + 6]) or 0)
  redis.call('SET', k[1], runAt, 'PX', runAt - now + tonumber(ARGV[at + 3]))
  return runAt
end
`;

// KEYS: pending, last pass, first change, last change. ARGV: now, quiet ms, max wait ms, slack ms, ttl s, overdue
// ms, optionally not-before ms. The claim above, for a change recorded elsewhere (a resolve, a silence, a click's
// re-render, a list a pass left for the settle).
export const CLAIM_SYNC = `${CLAIM}return claim(KEYS, 1)`;

// KEYS: pending. ARGV: now, to (ms), slack ms. Brings the pending claim forward to `to` when it is later: returns
// its old time (the caller queues the job for `to`, then drops the old one), else -1 and nothing changes.
export const ADVANCE_CLAIM = `
local pending = tonumber(redis.call('GET', KEYS[1]))
local now, to = tonumber(ARGV[1]), tonumber(ARGV[2])
if not pending or pending <= to then return -1 end
redis.call('SET', KEYS[1], to, 'PX', math.max(to - now, 0) + tonumber(ARGV[3]))
return pending
`;

// KEYS: lock, messages, pass under way, first change, last pass. ARGV: token, '1' when this writer's pass showed
// every change it took ('0' otherwise), ttl s, max wait ms, then optionally a message to record first (whether or
// not the lock is still held: the post happened): name, JSON, ttl s to refresh the messages key with ('' for none).
// A pass that finished spends the thread's edit budget (DUE_AT); one that did not puts the changes it took back
// (its first change, if older than the first one recorded since) and spends nothing, so its retry is not held back.
export const RELEASE_LOCK = `${DUE_AT}
if ARGV[5] then
  redis.call('HSET', KEYS[2], ARGV[5], ARGV[6])
  if ARGV[7] ~= '' then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local taken = tonumber(redis.call('GET', KEYS[3]))
if taken then
  local first = tonumber(redis.call('GET', KEYS[4]))
  if ARGV[2] == '1' then
    redis.call('SET', KEYS[5], spendBudget(redis.call('GET', KEYS[5]), tonumber(ARGV[4])), 'EX', ARGV[3])
  elseif not first or taken < first then
    redis.call('SET', KEYS[4], taken, 'EX', ARGV[3])
  end
  redis.call('DEL', KEYS[3])
end
return redis.call('DEL', KEYS[1])
`;

export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// KEYS: meta, alerts, alert-pair, pairs, seq, then optionally the claim's four keys. ARGV: ttl s, meta JSON,
// fingerprint, alert JSON, pair key, the pair's JSON without its opening brace ('' when the caller knows the pair
// exists): added unless it exists, with its seq (order of first appearance, the same counter as ever) put in front;
// then optionally the claim's six arguments. Returns {1 when the pair was added, else 0; the claim's answer when
// the pair was not added and a claim was asked for, else -1}: a repeat's change is recorded and its sync claimed
// in the same round trip (a new pair's reply is posted at once instead).
export const RECORD_FIRING = `${CLAIM}
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
local claimed = -1
if added == 0 and ARGV[7] then claimed = claim({KEYS[6], KEYS[7], KEYS[8], KEYS[9]}, 7) end
return {added, claimed}
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

// KEYS: lock, pending, last pass, first change, last change, pass under way, then the five snapshot keys.
// ARGV: now, ttl s, lock token, lock ttl ms, then (absent for a writer that only takes the lock) quiet ms, max wait
// ms, slack ms, skew ms. Without the lock: nil, nothing written. With it, {pass, claim, snapshot}, the snapshot read
// in the same atomic step as the decision:
// - pass 1 or 2: the non-urgent pass is due; it takes every change recorded so far (first change → pass under
//   way, until its release) and drops the pending claim; 2 when the thread is also quiet (for `quiet`
//   since its last change), 1 when the pass is due because a change waited long enough while others keep coming;
// - pass 0, claim > 0: not due yet; the time of the pending claim whose delayed job will re-check (a claim due
//   now, within the clock skew, is this sync's own: it is taken over and a new one made);
// - pass 0, claim -1: no change waiting.
// A pass under way found here died with its lock: its changes are waiting again.
export const START_SYNC = `${SNAPSHOT_READS}${DUE_AT}
if not redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4], 'NX') then return false end
local function decide()
  if not ARGV[5] then return 0, -1 end
  local now, ttl = tonumber(ARGV[1]), ARGV[2]
  local first = tonumber(redis.call('GET', KEYS[4]))
  local taken = tonumber(redis.call('GET', KEYS[6]))
  if taken then
    if not first or taken < first then first = taken; redis.call('SET', KEYS[4], first, 'EX', ttl) end
    redis.call('DEL', KEYS[6])
  end
  local pending = tonumber(redis.call('GET', KEYS[2]))
  local ownsClaim = pending and pending <= now + tonumber(ARGV[8])
  if not first then
    if ownsClaim then redis.call('DEL', KEYS[2]) end
    return 0, -1
  end
  local change = tonumber(redis.call('GET', KEYS[5])) or first
  local lastValue = redis.call('GET', KEYS[3])
  local due = dueAt(first, change, lastValue, tonumber(ARGV[5]), tonumber(ARGV[6]))
  if due <= now then
    redis.call('SET', KEYS[6], first, 'EX', ttl)
    redis.call('DEL', KEYS[4], KEYS[2])
    redis.call('SET', KEYS[3], passStarted(now, lastValue), 'EX', ttl)
    if change + tonumber(ARGV[5]) <= now then return 2, -1 end
    return 1, -1
  end
  if pending and not ownsClaim then return 0, pending end
  redis.call('SET', KEYS[2], due, 'PX', due - now + tonumber(ARGV[7]))
  return 0, due
end
local pass, claim = decide()
return {pass, claim, snapshot({KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]})}
`;
