-- KEYS: the windows' pairs, then the reservation id's settled marker.
-- ARGV: now, member ("<reservationId>:<reservedTokens>"), reservedTokens, usedTokens,
-- remember (ms), then per window: ttl (ms).
-- The marker is set first: the first settle of an id takes effect, every later settle
-- (a retry whose first try did arrive) and every later reserve of it find the marker.
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[5]) then
  return '0'
end
for i = 1, windows do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset)
  -- Gone when it expired (purged above or earlier) or was never made: its tokens are
  -- not in "reserved", so subtracting them would undercount.
  if redis.call('ZREM', zset, ARGV[2]) == 1 then
    redis.call('HINCRBY', hash, 'reserved', -tonumber(ARGV[3]))
  end
  if tonumber(ARGV[4]) > 0 then
    redis.call('HINCRBY', hash, 'used', ARGV[4])
  end
  expire(hash, zset, ARGV[5 + i])
end
return '1'
