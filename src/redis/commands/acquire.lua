--[[
  Takes `n` image slots on the free deployment that has been idle longest (so work spreads in
  proportion to the quotas). Each deployment has one GCRA key: its theoretical arrival time (TAT), the
  moment its next image may start; pacing, 429 holds and the circuit breaker all move that moment.
  No burst: Azure enforces per-minute quotas over 1-10 s windows. Spacing between two admissions is
  never under interval - slack, and averages exactly the interval while the deployment is busy. The
  interval is the configured quota's, or longer while a quota learned from 429s is lower.

  Variable key count (the caller passes it first): two per candidate deployment.
    KEYS[2i - 1] deployment i's TAT (string, ms)
    KEYS[2i]     deployment i's learned rate (hash, see rate-limited-3.lua)
    ARGV[1] images requested
    ARGV[1 + i] deployment i's configured images per minute

  Returns: {index (0-based), 0, admitted at (Redis ms)} when granted; {-1, ms until one is free, 0}
  when none is.
]]
--- @include "now"
--- @include "learned-rate"
local n = tonumber(ARGV[1])
local best = -1
local bestTat = 0
local wait = -1
for i = 1, #KEYS / 2 do
  local tat = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  if tat <= now then
    if best == -1 or tat < bestTat then best = i; bestTat = tat end
  elseif wait == -1 or tat - now < wait then
    wait = tat - now
  end
end
if best == -1 then return {-1, wait, 0} end
local configured = tonumber(ARGV[1 + best])
local rate = learnedRate(KEYS[2 * best], configured, now) or configured
local interval = 60000 / rate
-- A request that comes a little after its slot (fetching the job, checking blobs) keeps the slot's
-- time: otherwise every admission loses that lateness for good and a busy deployment runs a few
-- percent under its quota. Only small lateness carries over, so an idle deployment gets no burst.
local slack = math.min(interval * 0.25, 1000)
local start = now
if bestTat > 0 and now - bestTat <= slack then start = bestTat end
local nextTat = start + interval * n
redis.call('SET', KEYS[2 * best - 1], nextTat, 'PX', math.ceil(interval * n) + 600000)
return {best - 1, 0, now}
