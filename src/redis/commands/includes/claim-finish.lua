--[[
  claimFinish(runKey): the claim that a run has just finished: all items enqueued and settled, and
  nobody claimed it before (HSETNX), and no regeneration pending. Exactly one process wins it, and that one writes the run's report.
]]
local function claimFinish(runKey)
  if redis.call('HEXISTS', runKey, 'enqueuedAt') == 0 then return false end
  local settled = tonumber(redis.call('HGET', runKey, 'settled') or '0')
  local total = tonumber(redis.call('HGET', runKey, 'total') or '0')
  if settled < total then return false end
  -- A regeneration claimed and not yet re-enqueued (claim-regeneration) keeps the run open.
  if tonumber(redis.call('HGET', runKey, 'regenerating') or '0') > 0 then return false end
  local t = redis.call('TIME')
  return redis.call('HSETNX', runKey, 'finishedAt', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) == 1
end
