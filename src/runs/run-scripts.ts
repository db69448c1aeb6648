/**
 * The two atomic steps that make run completion exact with any number of workers and runs sharing
 * an item (the same manifest enqueued twice shares its jobs):
 *
 * - ATTACH (producer, per chunk, before addBulk): the run waits for each item. If the item's job still
 *   exists but has already settled (the done marker is set), the run takes that outcome at once;
 *   otherwise it joins the item's waiting set, and addBulk adds the job if it is not queued.
 * - SETTLE (worker, at the item's final outcome): every waiting run gets the rows and its counters,
 *   the waiting set is emptied and a done marker is left for runs that attach in the moment before
 *   BullMQ removes the finished job. Settling twice (a stalled job run again) counts nothing twice.
 *
 * Both run keys are built inside the scripts from the base prefix; see RunKeys for the layout.
 */

/** ARGV: base, runId, markerTtlSeconds, jobId1, jobId2, ... Returns the number of items settled at once. */
export const ATTACH_SCRIPT = `
local base, runId = ARGV[1], ARGV[2]
local runKey = base .. ':run:' .. runId
local settledNow = 0
for i = 4, #ARGV do
  local jobId = ARGV[i]
  local doneKey = base .. ':item:' .. jobId .. ':done'
  local jobExists = redis.call('EXISTS', base .. ':' .. jobId) == 1
  local done = jobExists and redis.call('GET', doneKey)
  if not jobExists then
    -- A new job will be added: an old marker must not speak for it.
    redis.call('DEL', doneKey)
  end
  if done then
    local outcome = cjson.decode(done)
    for _, row in ipairs(outcome.rows) do redis.call('RPUSH', runKey .. ':rows', row) end
    for field, count in pairs(outcome.counts) do redis.call('HINCRBY', runKey, field, count) end
    redis.call('HINCRBY', runKey, 'settled', 1)
    settledNow = settledNow + 1
  else
    redis.call('SADD', base .. ':item:' .. jobId .. ':runs', runId)
  end
end
redis.call('HINCRBY', runKey, 'total', #ARGV - 3)
return settledNow
`;

/**
 * ARGV: base, jobId, outcomeJson ({rows: [json strings], counts: {field: n}}), markerTtlSeconds,
 * onlyIfUnsettled ('1': do nothing when the item already settled, for failures BullMQ decides itself,
 * such as a job that stalled too often). Returns the number of runs settled.
 */
export const SETTLE_SCRIPT = `
local base, jobId, outcomeJson = ARGV[1], ARGV[2], ARGV[3]
if ARGV[5] == '1' and redis.call('EXISTS', base .. ':item:' .. jobId .. ':done') == 1 then return 0 end
local runsKey = base .. ':item:' .. jobId .. ':runs'
local outcome = cjson.decode(outcomeJson)
local runs = redis.call('SMEMBERS', runsKey)
for _, runId in ipairs(runs) do
  local runKey = base .. ':run:' .. runId
  if redis.call('EXISTS', runKey) == 1 then
    for _, row in ipairs(outcome.rows) do redis.call('RPUSH', runKey .. ':rows', row) end
    for field, count in pairs(outcome.counts) do redis.call('HINCRBY', runKey, field, count) end
    redis.call('HINCRBY', runKey, 'settled', 1)
  end
end
redis.call('DEL', runsKey)
redis.call('SET', base .. ':item:' .. jobId .. ':done', outcomeJson, 'EX', tonumber(ARGV[4]))
return #runs
`;
