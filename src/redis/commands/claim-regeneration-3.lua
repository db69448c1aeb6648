--[[
  Claims a regeneration (--regenerate-on-mismatch): one more variant of an item whose image the text
  check flagged, at most `limit` per item and run. The claim is keyed by the flagged image, so a check
  job that runs twice (a stall, a retry) claims nothing twice and finds the first claim's state. A new
  claim holds the run open (`regenerating` + 1: claim-finish waits for it) until it is released.
    KEYS[1] the run (hash)
    KEYS[2] the run's regenerations per item (hash: item key -> count)
    KEYS[3] the run's regeneration claims (hash: flagged blob name -> state json)
    ARGV[1] item key (id \0 locale \0 model)
    ARGV[2] flagged blob name
    ARGV[3] limit (n)
    ARGV[4] state json of a new claim
  Returns: {'new', count} for a new claim; {'held', state} when this image's claim is not released yet
  (the job that claimed it died: carry on); {'done', state} when it was released; {'limit', count}.
]]
local existing = redis.call('HGET', KEYS[3], ARGV[2])
if existing then
  local state = cjson.decode(existing)
  if state.released then return {'done', existing} end
  return {'held', existing}
end
local count = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if count >= tonumber(ARGV[3]) then return {'limit', count} end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('HINCRBY', KEYS[1], 'regenerating', 1)
return {'new', count + 1}
