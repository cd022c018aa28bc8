-- Shared head of every ledger script (the Java side prepends it).
-- KEYS hold, per window, its hash (fields used, reserved) and then its sorted set of
-- reservations: members "<reservationId>:<tokens>" scored by expiry in epoch ms.
-- ARGV[1] is the caller's now in epoch ms: time comes from the caller, never from TIME,
-- so that every replica and every test agree on one clock per call.
local now = tonumber(ARGV[1])
local windows = math.floor(#KEYS / 2)

-- A reservation that reached its expiry stops counting: the replica that made it
-- crashed or lost its settle. Its tokens leave "reserved" once, here.
local function purge(hash, zset)
  local expired = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
  if #expired > 0 then
    local tokens = 0
    for _, member in ipairs(expired) do
      tokens = tokens + tonumber(string.match(member, ':(%d+)$'))
    end
    redis.call('HINCRBY', hash, 'reserved', -tokens)
    redis.call('ZREMRANGEBYSCORE', zset, '-inf', now)
  end
end

local function state(hash)
  local fields = redis.call('HMGET', hash, 'used', 'reserved')
  return tonumber(fields[1]) or 0, tonumber(fields[2]) or 0
end

-- Redis forgets a window by itself some time after it resets. The TTL is relative to the
-- caller's now (not an absolute PEXPIREAT on Redis's clock) so that one clock rules; a
-- TTL <= 0 (the window is long over) deletes the key at once.
local function expire(hash, zset, ttl)
  redis.call('PEXPIRE', hash, ttl)
  redis.call('PEXPIRE', zset, ttl)
end

-- "%d": tostring would print large counts in exponent form.
local function reply(admitted, used, reserved)
  local parts = { admitted }
  for i = 1, #used do
    parts[#parts + 1] = string.format('%d', used[i])
    parts[#parts + 1] = string.format('%d', reserved[i])
  end
  return table.concat(parts, ' ')
end
