-- KEYS: the windows' pairs, then the charge id's marker. ARGV: now, usedTokens,
-- remember (ms), then per window: ttl (ms).
-- The marker is set first: whoever sets it charges, every later call finds it.
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[3]) then
  return '0'
end
for i = 1, windows do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset)
  redis.call('HINCRBY', hash, 'used', ARGV[2])
  expire(hash, zset, ARGV[3 + i])
end
return '1'
