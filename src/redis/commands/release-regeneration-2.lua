--[[
  Releases a regeneration claim (claim-regeneration): records its outcome and lets the run finish,
  once, however often it is called.
    KEYS[1] the run (hash)
    KEYS[2] the run's regeneration claims (hash: flagged blob name -> state json)
    ARGV[1] flagged blob name
    ARGV[2] final state json (`released` set)
  Returns: 1 when this call finished the run (the caller writes its report), else 0.
]]
--- @include "claim-finish"
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if not existing or cjson.decode(existing).released then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'regenerating', -1)
if claimFinish(KEYS[1]) then return 1 end
return 0
