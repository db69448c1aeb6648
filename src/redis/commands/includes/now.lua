--[[
  `now`: the Redis server's time in ms. Every worker compares against one clock, so hosts with skewed
  clocks agree on quotas, holds and heartbeats.
]]
local serverTime = redis.call('TIME')
local now = tonumber(serverTime[1]) * 1000 + math.floor(tonumber(serverTime[2]) / 1000)
