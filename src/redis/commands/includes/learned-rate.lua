--[[
  learnedRate(learnedKey, configured, now): the images per minute a deployment may take now, learned
  from its 429s (see rate-limited-3.lua), at most `configured`; nil when nothing is learned.
  After a 429 at rate `max` the rate drops to beta * max, climbs back to just under `max` (concave),
  stays there a while, then probes beyond it faster and faster (convex), so a raised quota is found
  within a minute or so and the configured rate is reached again: the shape of TCP CUBIC's window,
  w(t) = max * (1 + c (t - K)^3) with K = cbrt((1 - beta) / c), t in seconds since the cut.
]]
local function learnedRate(learnedKey, configured, now)
  local learned = redis.call('HMGET', learnedKey, 'max', 'cutAt', 'beta', 'c')
  if not learned[1] then return nil end
  local max, cutAt, beta, c = tonumber(learned[1]), tonumber(learned[2]), tonumber(learned[3]), tonumber(learned[4])
  local k = ((1 - beta) / c) ^ (1 / 3)
  local t = (now - cutAt) / 1000
  local rate = max * (1 + c * (t - k) ^ 3)
  if rate >= configured then
    -- Back at the configured quota with no 429 since: forget what was learned.
    if t > k then redis.call('DEL', learnedKey) end
    return configured
  end
  return rate
end
