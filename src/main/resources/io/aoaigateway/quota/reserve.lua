-- KEYS: the windows' pairs, then the reservation id's settled marker.
-- ARGV: now, expiresAt (epoch ms), reservationId, then per window: limit, ttl (ms),
-- amount (limit and amount in the window's unit: tokens, or cost in micro-units).
-- Checks every window first and adds to all of them or to none.
local used, reserved, admitted = {}, {}, '1'
for i = 1, windows do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset)
  used[i], reserved[i] = state(hash)
  if used[i] + reserved[i] + tonumber(ARGV[3 + 3 * i]) > tonumber(ARGV[1 + 3 * i]) then
    admitted = '0'
  end
end
-- Settled or released already: this reserve arrives after the gateway gave up on it.
-- Adding it now would hold room that nothing ever releases.
if redis.call('EXISTS', KEYS[#KEYS]) == 1 then
  admitted = '0'
end
if admitted == '1' then
  for i = 1, windows do
    local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
    local amount = ARGV[3 + 3 * i]
    -- ZADD answers 0 for a member it already has (the same reservation again): it then
    -- only extends the expiry, and the amount is not counted twice.
    if redis.call('ZADD', zset, ARGV[2], ARGV[3] .. ':' .. amount) == 1 then
      redis.call('HINCRBY', hash, 'reserved', amount)
      reserved[i] = reserved[i] + tonumber(amount)
    end
    expire(hash, zset, ARGV[2 + 3 * i])
  end
end
return reply(admitted, used, reserved)
