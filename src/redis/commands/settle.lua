--[[
  Records an item's final outcome (a worker, at the item's final outcome) in every run waiting for it:
  the rows and counters, then the waiting set is emptied and a done marker is left for runs that
  attach in the moment before BullMQ removes the finished job. Settling twice (a stalled job run
  again) counts nothing twice.

  The caller reads the waiting set first (SMEMBERS) and passes those runs' keys: a script may touch
  only keys it is given. If a run joined the set in between, the script changes nothing and returns
  -1, and the caller reads the set again.

  Variable key count (the caller passes it first): 2 + 3 per run.
    KEYS[1] the item's waiting runs (set of run ids)
    KEYS[2] the item's done marker (string)
    KEYS[3i] run i (hash), KEYS[3i + 1] its rows (sorted set by manifest line), KEYS[3i + 2] its failed rows (list)

    ARGV[1] outcome json: {rows: [row json strings], counts: {field: n}}
    ARGV[2] seconds the done marker lives
    ARGV[3] '1': do nothing when the item already settled (failures BullMQ decides itself, such as
            a job that stalled too often)
    ARGV[3 + i] run i's id

  Returns: {runs settled, ids of the runs this finished}, or {-1, {}} when the waiting set holds a
  run the caller did not pass.
]]
--- @include "add-rows"
--- @include "claim-finish"
local waitingKey, doneKey = KEYS[1], KEYS[2]
if ARGV[3] == '1' and redis.call('EXISTS', doneKey) == 1 then return {0, {}} end
local given = {}
for i = 4, #ARGV do given[ARGV[i]] = 3 * (i - 3) end
local waiting = redis.call('SMEMBERS', waitingKey)
for _, runId in ipairs(waiting) do
  if not given[runId] then return {-1, {}} end
end
local outcome = cjson.decode(ARGV[1])
local finished = {}
for _, runId in ipairs(waiting) do
  local first = given[runId]
  local runKey = KEYS[first]
  if redis.call('EXISTS', runKey) == 1 then
    addRows(KEYS[first + 1], KEYS[first + 2], outcome.rows)
    for field, count in pairs(outcome.counts) do redis.call('HINCRBY', runKey, field, count) end
    redis.call('HINCRBY', runKey, 'settled', 1)
    if claimFinish(runKey) then table.insert(finished, runId) end
  end
end
redis.call('DEL', waitingKey)
redis.call('SET', doneKey, ARGV[1], 'EX', tonumber(ARGV[2]))
return {#waiting, finished}
