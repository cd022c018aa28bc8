-- The objects waiting to be charged when they end. KEYS[1]: the sorted set of object ids
-- by the epoch ms when each is due. ARGV[1]: the operation; ARGV[2]: the prefix of the
-- keys that hold each object (its JSON, expiring when the gateway gives up on it).
-- Times are the caller's clock, never TIME. Answers a string.
local due = KEYS[1]
local operation = ARGV[1]
local prefix = ARGV[2]

if operation == 'track' then
  -- ARGV: id, json, due, keep (ms). An object tracked already is left as it is.
  local id = ARGV[3]
  if redis.call('SET', prefix .. id, ARGV[4], 'NX', 'PX', ARGV[6]) then
    redis.call('ZADD', due, ARGV[5], id)
  end
  return 'ok'
end

if operation == 'claim' then
  -- ARGV: now, lease end (ms), max. Each claimed object is due again at the lease end,
  -- so another replica takes it over if this one never comes back with it.
  local ids = redis.call('ZRANGEBYSCORE', due, '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[5]))
  local claimed = {}
  for _, id in ipairs(ids) do
    local object = redis.call('GET', prefix .. id)
    if object then
      redis.call('ZADD', due, ARGV[4], id)
      claimed[#claimed + 1] = object
    else
      -- Expired: given up on.
      redis.call('ZREM', due, id)
    end
  end
  -- One JSON object per line (compact JSON has no raw line breaks).
  return table.concat(claimed, '\n')
end

if operation == 'reschedule' then
  -- ARGV: id, json, due (ms). Only while still tracked.
  local id = ARGV[3]
  if redis.call('SET', prefix .. id, ARGV[4], 'XX', 'KEEPTTL') then
    redis.call('ZADD', due, ARGV[5], id)
  end
  return 'ok'
end

if operation == 'forget' then
  -- ARGV: id.
  redis.call('ZREM', due, ARGV[3])
  redis.call('DEL', prefix .. ARGV[3])
  return 'ok'
end

return redis.error_reply('unknown operation ' .. tostring(operation))
