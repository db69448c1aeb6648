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

/**
 * A failed report row, also kept in the run's `failures` list. Rows are JSON.stringify output, where
 * quotes inside a value are escaped (`\"status\"`), so a plain find of `"status":"failed"` is exact.
 */
const IS_FAILURE = `
local function isFailure(row) return string.find(row, '"status":"failed"', 1, true) ~= nil end
`;

/** ARGV: base, runId, markerTtlSeconds, jobId1, jobId2, ... Returns the number of items settled at once. */
export const ATTACH_SCRIPT = `${IS_FAILURE}
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
    -- For this run the images were already there: what the other run created, this one found.
    local outcome = cjson.decode(done)
    for _, row in ipairs(outcome.rows) do
      local decoded = cjson.decode(row)
      if decoded.status == 'created' then
        decoded.status = 'exists'
        row = cjson.encode(decoded)
      end
      redis.call('RPUSH', runKey .. ':rows', row)
      if isFailure(row) then redis.call('RPUSH', runKey .. ':failures', row) end
    end
    local created = outcome.counts.imagesCreated or 0
    outcome.counts.imagesCreated = nil
    outcome.counts.imagesExisting = (outcome.counts.imagesExisting or 0) + created
    for field, count in pairs(outcome.counts) do
      if string.sub(field, 1, 7) ~= 'tokens:' then redis.call('HINCRBY', runKey, field, count) end
    end
    redis.call('HINCRBY', runKey, 'settled', 1)
    settledNow = settledNow + 1
  else
    redis.call('SADD', base .. ':item:' .. jobId .. ':runs', runId)
  end
  redis.call('SADD', runKey .. ':items', jobId)
end
redis.call('HINCRBY', runKey, 'total', #ARGV - 3)
return settledNow
`;

/**
 * The claim that a run has just finished: all items enqueued and settled, and nobody claimed it
 * before (HSETNX). Exactly one process wins it, and that one writes the run's report.
 */
const CLAIM_FINISH = `
local function claimFinish(runKey)
  if redis.call('HEXISTS', runKey, 'enqueuedAt') == 0 then return false end
  local settled = tonumber(redis.call('HGET', runKey, 'settled') or '0')
  local total = tonumber(redis.call('HGET', runKey, 'total') or '0')
  if settled < total then return false end
  local t = redis.call('TIME')
  return redis.call('HSETNX', runKey, 'finishedAt', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) == 1
end
`;

/**
 * ARGV: base, jobId, outcomeJson ({rows: [json strings], counts: {field: n}}), markerTtlSeconds,
 * onlyIfUnsettled ('1': do nothing when the item already settled, for failures BullMQ decides itself,
 * such as a job that stalled too often). Returns {runs settled, ids of the runs this finished}.
 */
export const SETTLE_SCRIPT = `${CLAIM_FINISH}${IS_FAILURE}
local base, jobId, outcomeJson = ARGV[1], ARGV[2], ARGV[3]
if ARGV[5] == '1' and redis.call('EXISTS', base .. ':item:' .. jobId .. ':done') == 1 then return {0, {}} end
local runsKey = base .. ':item:' .. jobId .. ':runs'
local outcome = cjson.decode(outcomeJson)
local runs = redis.call('SMEMBERS', runsKey)
local finished = {}
for _, runId in ipairs(runs) do
  local runKey = base .. ':run:' .. runId
  if redis.call('EXISTS', runKey) == 1 then
    for _, row in ipairs(outcome.rows) do
      redis.call('RPUSH', runKey .. ':rows', row)
      if isFailure(row) then redis.call('RPUSH', runKey .. ':failures', row) end
    end
    for field, count in pairs(outcome.counts) do redis.call('HINCRBY', runKey, field, count) end
    redis.call('HINCRBY', runKey, 'settled', 1)
    if claimFinish(runKey) then table.insert(finished, runId) end
  end
end
redis.call('DEL', runsKey)
redis.call('SET', base .. ':item:' .. jobId .. ':done', outcomeJson, 'EX', tonumber(ARGV[4]))
return {#runs, finished}
`;

/** KEYS[1]: the run. ARGV[1]: enqueuedAt. Returns 1 when every item had already settled (the producer finished the run). */
export const MARK_ENQUEUED_SCRIPT = `${CLAIM_FINISH}
redis.call('HSET', KEYS[1], 'enqueuedAt', ARGV[1])
if claimFinish(KEYS[1]) then return 1 end
return 0
`;

/**
 * Takes an item out of a run without running it (cancel). KEYS: run, its rows, the item's waiting
 * runs. ARGV: runId, the cancelled row (json), counts json. Returns 1 when the run was still waiting
 * for the item (so it is now settled as cancelled), 0 when the item had already settled or started.
 */
export const CANCEL_ITEM_SCRIPT = `${CLAIM_FINISH}
if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
for field, count in pairs(cjson.decode(ARGV[3])) do redis.call('HINCRBY', KEYS[1], field, count) end
redis.call('HINCRBY', KEYS[1], 'settled', 1)
claimFinish(KEYS[1])
return 1
`;

/**
 * Reopens a run for its failed items (retry). KEYS: run, its rows, its failures. ARGV: the failed rows (json, as
 * stored), then after '--' the counts to take back (json). The rows leave the report, the counters
 * drop them, and the run is unfinished again; the producer then attaches the items afresh.
 */
export const REOPEN_SCRIPT = `
local split = 0
for i = 1, #ARGV do if ARGV[i] == '--' then split = i end end
local removed = 0
for i = 1, split - 1 do
  removed = removed + redis.call('LREM', KEYS[2], 1, ARGV[i])
  redis.call('LREM', KEYS[3], 1, ARGV[i])
end
for field, count in pairs(cjson.decode(ARGV[split + 1])) do redis.call('HINCRBY', KEYS[1], field, -count) end
redis.call('HDEL', KEYS[1], 'finishedAt', 'enqueuedAt', 'reportBlob')
return removed
`;
