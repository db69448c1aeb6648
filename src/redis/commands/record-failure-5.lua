--[[
  Counts a failure against a deployment's circuit breaker. On a trip the deployment is held for
  base * 2^(trips so far, at most 5) and the counter is left one short of the threshold: after the
  cool-down exactly one trial request goes through for every worker (acquire.lua's lease), and a
  single failure trips it again (half-open), releasing the lease for the trial after the next hold,
  while a success resets everything.
    KEYS[1] consecutive failures (string)
    KEYS[2] trips in a row (string)
    KEYS[3] the deployment's TAT (string, ms)
    KEYS[4] its pause note (string, see hold-2)
    KEYS[5] its half-open trial lease (string, see acquire.lua)
    ARGV[1] failures that trip the breaker
    ARGV[2] base cool-down ms
    ARGV[3] '1': trip at once
  A failure while the breaker already holds the deployment (a request that was in flight when it
  tripped) neither counts nor trips again: it returns what is left of the hold. Else the requests in
  flight at a trip (dozens under load, a share of them failing) would double the hold up to 32x
  within seconds, taking the deployment out for half an hour.
  Returns: the hold in ms, 0 if none.
]]
--- @include "now"
local note = redis.call('GET', KEYS[4])
if note then
  local heldUntil = tonumber(string.match(note, '^(%d+)|breaker$'))
  if heldUntil and heldUntil > now then return heldUntil - now end
end
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
redis.call('DEL', KEYS[5])
return hold
