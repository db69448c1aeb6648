--[[
  Every item of a run is enqueued (so its total is final).
    KEYS[1] the run (hash)
    ARGV[1] enqueuedAt (ms)
  Returns: 1 when every item had already settled (the caller finished the run and writes its
  report), else 0.
]]
--- @include "claim-finish"
redis.call('HSET', KEYS[1], 'enqueuedAt', ARGV[1])
if claimFinish(KEYS[1]) then return 1 end
return 0
