--[[
  The images per minute a deployment is paced at now: its configured quota, or the lower rate learned
  from its 429s (includes/learned-rate.lua). For readers (the quota bench's "paced" rate); acquire
  applies the same rate.
    KEYS[1] the deployment's learned rate (hash, see rate-limited-3.lua)
    ARGV[1] its configured images per minute
  Returns: images per minute (a string).
]]
--- @include "now"
--- @include "learned-rate"
local configured = tonumber(ARGV[1])
return tostring(learnedRate(KEYS[1], configured, now) or configured)
