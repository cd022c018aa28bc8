-- Writes to the caller key records; every change bumps the version the replicas poll.
-- KEYS[1]: the hash of records (key id -> JSON), KEYS[2]: the version counter.
-- ARGV[1]: the operation.
--   save <expected version> <key id> <json> [<key id> <json> ...]
--     -> 1 when saved, 0 when the version is no longer the expected one (nothing saved)
--   delete <key id>
--     -> 1 when the record existed, else 0
local operation = ARGV[1]
if operation == 'save' then
  local version = redis.call('GET', KEYS[2]) or '0'
  if version ~= ARGV[2] then
    return 0
  end
  for i = 3, #ARGV, 2 do
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  redis.call('INCR', KEYS[2])
  return 1
elseif operation == 'delete' then
  local removed = redis.call('HDEL', KEYS[1], ARGV[2])
  if removed == 1 then
    redis.call('INCR', KEYS[2])
  end
  return removed
end
return redis.error_reply('unknown operation ' .. tostring(operation))
