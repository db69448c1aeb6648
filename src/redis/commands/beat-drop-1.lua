--[[
  Beats for our claim on a dropped manifest.
    KEYS[1] the ingest ledger (hash)
    ARGV[1] sha256, ARGV[2] our source
  Returns: 1, or 0 when the claim is no longer ours (taken over, released, or its run recorded).
]]
--- @include "now"
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
if entry.source ~= ARGV[2] or type(entry.runId) == 'string' then return 0 end
entry.heartbeatAt = now
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
