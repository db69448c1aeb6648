--[[
  Takes `n` image slots on the free deployment that has been idle longest (so work spreads in
  proportion to the quotas). Each deployment has one GCRA key: its theoretical arrival time (TAT), the
  moment its next image may start; pacing, 429 holds and the circuit breaker all move that moment.
  No burst: Azure enforces per-minute quotas over 1-10 s windows. Spacing between two admissions is
  never under interval - slack, and averages exactly the interval while the deployment is busy.

  Variable key count (the caller passes it first): one per candidate deployment.
    KEYS[i] deployment i's TAT (string, ms)
    ARGV[1] images requested
    ARGV[1 + i] deployment i's ms per image

  Returns: {index (0-based), 0} when granted; {-1, ms until one is free} when none is.
]]
--- @include "now"
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
