--[[
  learnedRate(learnedKey, configured, now): the images per minute a deployment may take now, learned
  from its 429s (see rate-limited-3.lua), at most `configured`; nil when nothing is learned.
  After a 429 at rate `max` the quota is somewhere below `max`. The rate drops to beta * max, then:
    - recovers (concave) to a plateau of gamma * max in k seconds: below the rate that was refused,
      not back to it, so the next 429 is not bought within seconds of the last one;
    - stays on the plateau a while, then probes beyond it (convex), slowly at first and faster and
      faster: an unchanged quota answers the probe with one 429 some 45 s after the cut; a quota
      raised on the service is found within a minute or so and the configured rate is reached again.
  rate(t) = P - (P - beta max) ((k - t) / k)^3 for t < k, P (1 + c (t - k)^3) after, P = gamma max,
  t in seconds since the cut: TCP CUBIC's window (RFC 9438) with its plateau moved below W_max, as
  the window there is only lost beyond W_max while a quota is already exceeded at max.
  A hash written before gamma and k were stored (gamma 1, k from beta and c) follows CUBIC itself.
]]
local function learnedRate(learnedKey, configured, now)
  local learned = redis.call('HMGET', learnedKey, 'max', 'cutAt', 'beta', 'c', 'gamma', 'k')
  if not learned[1] then return nil end
  local max, cutAt, beta, c = tonumber(learned[1]), tonumber(learned[2]), tonumber(learned[3]), tonumber(learned[4])
  local gamma = tonumber(learned[5] or '1')
  local k = tonumber(learned[6] or '0')
  if not learned[6] then k = ((1 - beta) / c) ^ (1 / 3) end
  local plateau = gamma * max
  local t = (now - cutAt) / 1000
  local rate
  if t < k then
    rate = plateau - (plateau - beta * max) * ((k - t) / k) ^ 3
  else
    rate = plateau * (1 + c * (t - k) ^ 3)
  end
  if rate >= configured then
    -- Back at the configured quota with no 429 since: forget what was learned.
    if t > k then redis.call('DEL', learnedKey) end
    return configured
  end
  return rate
end
