--[[
  Makes a run wait for a chunk of items (the producer, before addBulk). An item that settled moments
  ago (its done marker is set: its job may still be finishing, or was just removed) gives the run its
  outcome at once and must not be added again; any other item joins the item's waiting set, and
  addBulk adds its job unless it is already queued.

  Variable key count (the caller passes it first): 4 + 2 per item.
    KEYS[1] the run (hash)
    KEYS[2] the run's rows (sorted set by manifest line)
    KEYS[3] the run's failed rows (list)
    KEYS[4] the run's items (set of job ids)
    KEYS[3 + 2i] item i's waiting runs (set of run ids)
    KEYS[4 + 2i] item i's done marker (string: {rows, counts} json)

    ARGV[1] run id
    ARGV[2] '1': drop the items' done markers and wait for new jobs (retry); '0': take them
    ARGV[2 + i] item i's job id

  Returns: the job ids settled at once (the caller leaves them out of addBulk).
]]
--- @include "add-rows"
local runKey, rowsKey, failuresKey, itemsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local runId, fresh = ARGV[1], ARGV[2] == '1'
local settledNow = {}
local items = #ARGV - 2
for i = 1, items do
  local jobId = ARGV[2 + i]
  local waitingKey, doneKey = KEYS[3 + 2 * i], KEYS[4 + 2 * i]
  local done = false
  if fresh then redis.call('DEL', doneKey) else done = redis.call('GET', doneKey) end
  if done then
    -- For this run the images were already there: what the other run created, this one found.
    local outcome = cjson.decode(done)
    local rows = {}
    for _, row in ipairs(outcome.rows) do
      local decoded = cjson.decode(row)
      if decoded.status == 'created' then
        decoded.status = 'exists'
        row = cjson.encode(decoded)
      end
      table.insert(rows, row)
    end
    addRows(rowsKey, failuresKey, rows)
    local created = outcome.counts.imagesCreated or 0
    outcome.counts.imagesCreated = nil
    outcome.counts.imagesExisting = (outcome.counts.imagesExisting or 0) + created
    for field, count in pairs(outcome.counts) do
      if string.sub(field, 1, 7) ~= 'tokens:' then redis.call('HINCRBY', runKey, field, count) end
    end
    redis.call('HINCRBY', runKey, 'settled', 1)
    table.insert(settledNow, jobId)
  else
    redis.call('SADD', waitingKey, runId)
  end
  redis.call('SADD', itemsKey, jobId)
end
redis.call('HINCRBY', runKey, 'total', items)
return settledNow
