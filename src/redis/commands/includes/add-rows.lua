--[[
  addRows(rowsKey, failuresKey, rows): adds report rows to a run (a sorted set scored by their
  manifest line, so the report is in manifest order), failed ones also to its failures list.
]]
--- @include "is-failure"
local function addRows(rowsKey, failuresKey, rows)
  for _, row in ipairs(rows) do
    redis.call('ZADD', rowsKey, tonumber(cjson.decode(row).line) or 0, row)
    if isFailure(row) then redis.call('RPUSH', failuresKey, row) end
  end
end
