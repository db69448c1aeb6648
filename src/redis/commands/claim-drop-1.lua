--[[
  Claims a dropped manifest's content for a scanner: takes the field when it is absent, or when it
  holds a claim with no run whose claimant stopped beating.
    KEYS[1] the ingest ledger (hash: sha256 -> entry json)
    ARGV[1] sha256 of the content
    ARGV[2] source (`blob:<name>@<etag>` or `dir:<name>@<uuid>`)
    ARGV[3] ms without a beat after which a claim is stale
  Returns: {1, previous entry or ''} when the claim is ours, {0, current entry} when another holds it.
]]
--- @include "now"
--- @include "claim-liveness"
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and isLive(cjson.decode(current), now, tonumber(ARGV[3])) then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ source = ARGV[2], claimedAt = now, heartbeatAt = now }))
return {1, current or ''}
