--[[
  Takes an item out of a run without running it (cancel).
    KEYS[1] the run (hash)
    KEYS[2] the run's rows (sorted set by manifest line)
    KEYS[3] the item's waiting runs (set)
    ARGV[1] run id
    ARGV[2] the cancelled row (json)
    ARGV[3] counts (json: {field: n})
  Returns: 1 when the run was still waiting for the item (now settled as cancelled), 2 when that
  also finished the run (the caller writes its report), 0 when the item had already settled or started.
]]
--- @include "claim-finish"
if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], tonumber(cjson.decode(ARGV[2]).line) or 0, ARGV[2])
for field, count in pairs(cjson.decode(ARGV[3])) do redis.call('HINCRBY', KEYS[1], field, count) end
redis.call('HINCRBY', KEYS[1], 'settled', 1)
if claimFinish(KEYS[1]) then return 2 end
return 1
