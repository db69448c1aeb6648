--[[
  Gives our claim on a dropped manifest back, only while it is ours and has no run.
    KEYS[1] the ingest ledger (hash)
    ARGV[1] sha256, ARGV[2] our source
  Returns: 1 when deleted, else 0.
]]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
if entry.source ~= ARGV[2] or type(entry.runId) == 'string' then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
