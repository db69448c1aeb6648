--[[
  Nobody starts on this deployment for a while (a 429's retry-after). The note tells the dashboard
  why, since the TAT alone cannot tell a pause from pacing ahead.
    KEYS[1] the deployment's TAT (string, ms)
    KEYS[2] its pause note (string `<until>|<why>`, expiring with the pause)
    ARGV[1] ms to hold
    ARGV[2] why (`rate-limited`)
  Returns: 0.
]]
--- @include "now"
local until_ = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > tat then redis.call('SET', KEYS[1], until_, 'PX', math.ceil(tonumber(ARGV[1])) + 600000) end
redis.call('SET', KEYS[2], until_ .. '|' .. ARGV[2], 'PX', math.max(1, math.ceil(tonumber(ARGV[1]))))
return 0
