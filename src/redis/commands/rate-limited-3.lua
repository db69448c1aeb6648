--[[
  A 429 from a deployment. Nobody starts on it until the answer's retry-after has passed, and, when the
  refused request was admitted after the last cut (a 429 while we believed we were within quota),
  its rate drops for every worker: multiplicative decrease to beta times the rate it was refused at,
  then the climb back that learned-rate.lua describes. One cut per 429 burst, whichever worker sees it:
  every worker's 429 comes through here, and the cut is one atomic step on one hash. Requests admitted before the last cut, or in
  the three intervals after it (the service still counts the old rate's excess against them), were
  sent at the old rate: their 429s hold, they do not cut again.
    KEYS[1] the deployment's TAT (string, ms)
    KEYS[2] its pause note (string `<until>|rate-limited`, expiring with the pause)
    KEYS[3] its learned rate (hash: max, cutAt, beta, c, gamma, k)
    ARGV[1] ms to hold (the answer's retry-after)
    ARGV[2] when the refused request was admitted (Redis ms, from acquire)
    ARGV[3] the configured images per minute
    ARGV[4] beta (0..1), ARGV[5] c (the probe's curvature, per s^3), ARGV[6] gamma (the plateau, a
    share of the rate refused at), ARGV[7] k (seconds from the cut to the plateau)
  Returns: the learned images per minute now (a string; the configured rate when nothing was cut).
]]
--- @include "now"
--- @include "learned-rate"
local holdMs = tonumber(ARGV[1])
local until_ = now + holdMs
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then redis.call('SET', KEYS[1], until_, 'PX', math.ceil(holdMs) + 600000) end
redis.call('SET', KEYS[2], until_ .. '|rate-limited', 'PX', math.max(1, math.ceil(holdMs)))
local configured = tonumber(ARGV[3])
local rate = learnedRate(KEYS[3], configured, now) or configured
local cutAt = tonumber(redis.call('HGET', KEYS[3], 'cutAt') or '0')
if tonumber(ARGV[2]) < cutAt + 3 * 60000 / rate then return tostring(rate) end
local beta = tonumber(ARGV[4])
redis.call('HSET', KEYS[3], 'max', rate, 'cutAt', now, 'beta', beta, 'c', ARGV[5], 'gamma', ARGV[6], 'k', ARGV[7])
-- Kept while it matters: a day without 429s forgets it (the climb reaches the configured rate long before).
redis.call('PEXPIRE', KEYS[3], 86400000)
return tostring(rate * beta)
