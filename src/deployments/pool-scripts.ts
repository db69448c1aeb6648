/**
 * Lua for the deployment pool. Each deployment has one GCRA key: its theoretical arrival time (TAT),
 * the moment its next image may start. Pacing, 429 back-off and the circuit breaker all work by moving
 * that moment, so one atomic script can pick the deployment free soonest. Time is the Redis server's,
 * so workers on machines with skewed clocks agree.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: the TAT key of each candidate deployment. ARGV[1]: images requested; ARGV[1 + i]: the ms per
 * image of deployment i. Takes the free deployment that has been idle longest (so work spreads in
 * proportion to the quotas) and returns {index, 0}; when none is free, {-1, ms until one is}.
 * No burst: Azure enforces per-minute quotas over 1-10 s windows. Spacing between two admissions is
 * never under interval - slack, and averages exactly the interval while the deployment is busy.
 */
export const ACQUIRE = `${NOW}
local n = tonumber(ARGV[1])
local best = -1
local bestTat = 0
local wait = -1
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat <= now then
    if best == -1 or tat < bestTat then best = i; bestTat = tat end
  elseif wait == -1 or tat - now < wait then
    wait = tat - now
  end
end
if best == -1 then return {-1, wait} end
local interval = tonumber(ARGV[1 + best])
-- A request that comes a little after its slot (fetching the job, checking blobs) keeps the slot's
-- time: otherwise every admission loses that lateness for good and a busy deployment runs a few
-- percent under its quota. Only small lateness carries over, so an idle deployment gets no burst.
local slack = math.min(interval * 0.25, 1000)
local start = now
if bestTat > 0 and now - bestTat <= slack then start = bestTat end
local nextTat = start + interval * n
redis.call('SET', KEYS[best], nextTat, 'PX', math.ceil(interval * n) + 600000)
return {best - 1, 0}
`;

/**
 * KEYS[1]: a TAT key, KEYS[2]: its pause note. ARGV[1]: ms, ARGV[2]: why. Nobody starts on this
 * deployment for ARGV[1] ms (a 429, a tripped breaker); the note (`<until>|<why>`, expiring with the
 * pause) tells the dashboard why, since the TAT alone cannot tell a pause from pacing ahead.
 */
export const HOLD = `${NOW}
local until_ = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then redis.call('SET', KEYS[1], until_, 'PX', math.ceil(tonumber(ARGV[1])) + 600000) end
redis.call('SET', KEYS[2], until_ .. '|' .. ARGV[2], 'PX', math.max(1, math.ceil(tonumber(ARGV[1]))))
return 0
`;

/**
 * KEYS[1]: consecutive-failure counter, KEYS[2]: trip counter, KEYS[3]: TAT key, KEYS[4]: pause note (see HOLD).
 * ARGV[1]: failures that trip the breaker, ARGV[2]: base cool-down ms, ARGV[3]: 1 to trip at once.
 * On a trip the deployment is held for base * 2^(trips so far, at most 5) and the counter is left one
 * short of the threshold: after the cool-down one trial request goes through, and a single failure
 * trips it again (half-open) while a success resets everything. Returns the hold in ms, 0 if none.
 */
export const RECORD_FAILURE = `${NOW}
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 3600000)
local threshold = tonumber(ARGV[1])
if failures < threshold and ARGV[3] ~= '1' then return 0 end
local trips = tonumber(redis.call('GET', KEYS[2]) or '0')
local hold = tonumber(ARGV[2]) * math.pow(2, math.min(trips, 5))
redis.call('SET', KEYS[2], trips + 1, 'PX', math.ceil(hold * 4) + 3600000)
redis.call('SET', KEYS[1], threshold - 1, 'PX', 3600000)
local until_ = now + hold
local tat = tonumber(redis.call('GET', KEYS[3]) or '0')
if until_ > tat then redis.call('SET', KEYS[3], until_, 'PX', math.ceil(hold) + 600000) end
redis.call('SET', KEYS[4], until_ .. '|breaker', 'PX', math.ceil(hold))
return hold
`;

/** Width of the usage counters' buckets: fine enough that "the last 60 s" is exact to a sixth. */
export const USAGE_BUCKET_MS = 10_000;

/**
 * Counters of what each deployment did, for "quota use at a glance" (the dashboard): one key per
 * deployment, event and USAGE_BUCKET_MS of Redis time, kept two hours.
 * KEYS[1]: the counter's prefix (`...:deployment:<name>:images`). ARGV[1]: how many.
 */
export const COUNT_NOW = `${NOW}
local key = KEYS[1] .. ':' .. math.floor(now / ${USAGE_BUCKET_MS})
redis.call('INCRBY', key, tonumber(ARGV[1]))
redis.call('EXPIRE', key, 7200)
return 0
`;
