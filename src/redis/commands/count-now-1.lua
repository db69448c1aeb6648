--[[
  Counts what a deployment did (images, 429s) in buckets of Redis time, for "quota use at a glance"
  (the dashboard). One hash per deployment and event: field = bucket number, value = count. Fields
  older than the kept window are swept at most once a bucket; the whole hash expires when idle.
    KEYS[1] the counter (hash: bucket -> n)
    ARGV[1] how many
    ARGV[2] bucket width, ms
    ARGV[3] buckets kept
  Returns: 0.
]]
--- @include "now"
local width, kept = tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = math.floor(now / width)
redis.call('HINCRBY', KEYS[1], bucket, tonumber(ARGV[1]))
local swept = tonumber(redis.call('HGET', KEYS[1], 'swept') or '0')
if swept < bucket then
  redis.call('HSET', KEYS[1], 'swept', bucket)
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    local number = tonumber(field)
    if field ~= 'swept' and number and number <= bucket - kept then redis.call('HDEL', KEYS[1], field) end
  end
end
redis.call('PEXPIRE', KEYS[1], math.ceil(width * kept))
return 0
