--[[
  isFailure(row): a failed report row, also kept in the run's `failures` list. Rows are JSON.stringify
  output, where quotes inside a value are escaped (`\"status\"`), so a plain find of
  `"status":"failed"` is exact.
]]
local function isFailure(row) return string.find(row, '"status":"failed"', 1, true) ~= nil end
