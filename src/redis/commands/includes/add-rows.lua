--[[
  addRows(rowsKey, failuresKey, rows): appends report rows to a run, failed ones also to its
  failures list.
]]
--- @include "is-failure"
local function addRows(rowsKey, failuresKey, rows)
  for _, row in ipairs(rows) do
    redis.call('RPUSH', rowsKey, row)
    if isFailure(row) then redis.call('RPUSH', failuresKey, row) end
  end
end
