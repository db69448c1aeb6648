--[[
  Takes `n` image slots on the free deployment that has been idle longest (so work spreads in
  proportion to the quotas). Each deployment has one GCRA key: its theoretical arrival time (TAT), the
  moment its next image may start; pacing, 429 holds and the circuit breaker all move that moment.
  No burst: Azure enforces per-minute quotas over 1-10 s windows. Spacing between two admissions is
  never under interval - slack, and averages exactly the interval while the deployment is busy. The
  interval is the configured quota's, or longer while a quota learned from 429s is lower.

  Half-open breaker: a deployment whose breaker tripped (a trips count, cleared by the next success)
  and whose hold has ended takes exactly one request, the trial, for every worker: its admission
  takes a lease (SET NX PX), and nobody else is admitted there until the trial ends: a success closes
  the breaker (record-success clears trips and lease), a failure trips it again with the doubled hold
  (record-failure-5.lua releases the lease), and a trial whose worker vanished frees the deployment
  when its lease runs out (longer than a request may take).

  Variable key count (the caller passes it first): four per candidate deployment.
    KEYS[4i - 3] deployment i's TAT (string, ms)
    KEYS[4i - 2] deployment i's learned rate (hash, see rate-limited-3.lua)
    KEYS[4i - 1] deployment i's breaker trips in a row (string, see record-failure-5.lua)
    KEYS[4i]     deployment i's half-open trial lease (string, the trial's admission time)
    ARGV[1] images requested
    ARGV[2] the trial's lease in ms
    ARGV[2 + i] deployment i's configured images per minute

  Returns: {index (0-based), 0, admitted at (Redis ms), 1 when this is the half-open trial else 0}
  when granted; {-1, ms until one may be free, 0, 0} when none is.
]]
--- @include "now"
--- @include "learned-rate"
local n = tonumber(ARGV[1])
local leaseMs = tonumber(ARGV[2])
-- While a trial is out, the others look again within a second: its answer (often seconds) closes or re-opens the breaker.
local TRIAL_POLL_MS = 1000
local best = -1
local bestTat = 0
local bestTrial = false
local wait = -1
local function consider(ms)
  if wait == -1 or ms < wait then wait = ms end
end
for i = 1, #KEYS / 4 do
  local tat = tonumber(redis.call('GET', KEYS[4 * i - 3]) or '0')
  if tat > now then
    consider(tat - now)
  else
    local halfOpen = tonumber(redis.call('GET', KEYS[4 * i - 1]) or '0') > 0
    local trialLeft = halfOpen and redis.call('PTTL', KEYS[4 * i]) or -2
    if trialLeft > 0 then
      consider(math.min(trialLeft, TRIAL_POLL_MS))
    elseif best == -1 or tat < bestTat then
      best = i; bestTat = tat; bestTrial = halfOpen
    end
  end
end
if best == -1 then return {-1, wait, 0, 0} end
if bestTrial then redis.call('SET', KEYS[4 * best], now, 'PX', leaseMs) end
local configured = tonumber(ARGV[2 + best])
local rate = learnedRate(KEYS[4 * best - 2], configured, now) or configured
local interval = 60000 / rate
-- A request that comes a little after its slot (fetching the job, checking blobs) keeps the slot's
-- time: otherwise every admission loses that lateness for good and a busy deployment runs a few
-- percent under its quota. Only small lateness carries over, so an idle deployment gets no burst.
local slack = math.min(interval * 0.25, 1000)
local start = now
if bestTat > 0 and now - bestTat <= slack then start = bestTat end
local nextTat = start + interval * n
redis.call('SET', KEYS[4 * best - 3], nextTat, 'PX', math.ceil(interval * n) + 600000)
return {best - 1, 0, now, bestTrial and 1 or 0}
