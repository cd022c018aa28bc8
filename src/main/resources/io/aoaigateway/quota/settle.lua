-- ARGV: now, member ("<reservationId>:<reservedTokens>"), reservedTokens, usedTokens,
-- then per window: ttl (ms).
for i = 1, windows do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset)
  -- Gone when it expired (purged above or earlier): its tokens left "reserved" then, so
  -- subtracting them again would undercount.
  if redis.call('ZREM', zset, ARGV[2]) == 1 then
    redis.call('HINCRBY', hash, 'reserved', -tonumber(ARGV[3]))
  end
  redis.call('HINCRBY', hash, 'used', ARGV[4])
  expire(hash, zset, ARGV[4 + i])
end
return 'OK'
