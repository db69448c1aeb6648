--[[
  Reopens a run for its failed items (retry): the rows leave the report, the counters drop them, and
  the run is unfinished again; the producer then attaches the items afresh.
    KEYS[1] the run (hash)
    KEYS[2] the run's rows (sorted set by manifest line)
    KEYS[3] the run's failed rows (list)
    ARGV[1] .. ARGV[n] the rows to take out (json, as stored), then '--', then the counts to take back (json)
  Returns: the number of rows removed.
]]
local split = 0
for i = 1, #ARGV do if ARGV[i] == '--' then split = i end end
local removed = 0
for i = 1, split - 1 do
  removed = removed + redis.call('ZREM', KEYS[2], ARGV[i])
  redis.call('LREM', KEYS[3], 1, ARGV[i])
end
for field, count in pairs(cjson.decode(ARGV[split + 1])) do redis.call('HINCRBY', KEYS[1], field, -count) end
redis.call('HDEL', KEYS[1], 'finishedAt', 'enqueuedAt', 'reportBlob', 'reportNotWritten')
return removed
