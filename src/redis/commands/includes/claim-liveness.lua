--[[
  isLive(entry, now, staleMs): an ingest claim that holds: it has a run, or its claimant beat less than
  staleMs ago (Redis time, so scanners on skewed hosts agree).
]]
local function isLive(entry, now, staleMs)
  if type(entry.runId) == 'string' then return true end
  local beat = tonumber(entry.heartbeatAt or entry.claimedAt) or 0
  return now - beat < staleMs
end
