-- Shared head of every ledger script (the Java side prepends it).
-- KEYS hold, per window, its hash (fields used, reserved) and then its sorted set of
-- reservations: members "<reservationId>:<amount>" scored by expiry in epoch ms, the
-- amount in the window's own unit (tokens, or cost in micro-units).
-- ARGV[1] is the caller's now in epoch ms: time comes from the caller, never from TIME,
-- so that every replica and every test agree on one clock per call.
local now = tonumber(ARGV[1])
local windows = math.floor(#KEYS / 2)

-- A reservation that reached its expiry stops counting: the replica that made it
-- crashed or lost its settle. Its amount leaves "reserved" once, here.
local function purge(hash, zset)
  local expired = redis.call('ZRANGEBYSCORE', zset, '-inf', now)
  if #expired > 0 then
    local amount = 0
    for _, member in ipairs(expired) do
      amount = amount + tonumber(string.match(member, ':(%d+)$'))
    end
    redis.call('HINCRBY', hash, 'reserved', -amount)
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

-- Ends a reservation, once, and answers '1', or '0' when its id was settled before. Its
-- windows' pairs are KEYS[k] to KEYS[k + 2n - 1], its marker KEYS[k + 2n]; per window i
-- (from 0), ARGV[t + 3i] is its TTL (ms), ARGV[t + 3i + 1] the amount reserved in it and
-- ARGV[t + 3i + 2] the amount used, each in the window's own unit (tokens or cost). The
-- marker is set first: the first settle of an id takes effect, every later settle (a
-- retry whose first try did arrive) and every later reserve of it find the marker.
local function settle(k, n, id, remember, t)
  if not redis.call('SET', KEYS[k + 2 * n], '1', 'NX', 'PX', remember) then
    return '0'
  end
  for i = 0, n - 1 do
    local hash, zset = KEYS[k + 2 * i], KEYS[k + 2 * i + 1]
    local reserved, used = tonumber(ARGV[t + 3 * i + 1]), tonumber(ARGV[t + 3 * i + 2])
    purge(hash, zset)
    -- Gone when it expired (purged above or earlier) or was never made: its amount is
    -- not in "reserved", so subtracting it would undercount.
    if redis.call('ZREM', zset, id .. ':' .. ARGV[t + 3 * i + 1]) == 1 then
      redis.call('HINCRBY', hash, 'reserved', -reserved)
    end
    if used > 0 then
      redis.call('HINCRBY', hash, 'used', used)
    end
    expire(hash, zset, ARGV[t + 3 * i])
  end
  return '1'
end

-- Charges an amount once per charge id and answers '1', or '0' when the id was charged
-- before; KEYS and ARGV as for settle (the reserved amounts are not read). The marker is
-- set first: whoever sets it charges, every later call finds it.
local function charge(k, n, remember, t)
  if not redis.call('SET', KEYS[k + 2 * n], '1', 'NX', 'PX', remember) then
    return '0'
  end
  for i = 0, n - 1 do
    local hash, zset = KEYS[k + 2 * i], KEYS[k + 2 * i + 1]
    purge(hash, zset)
    redis.call('HINCRBY', hash, 'used', tonumber(ARGV[t + 3 * i + 2]))
    expire(hash, zset, ARGV[t + 3 * i])
  end
  return '1'
end
