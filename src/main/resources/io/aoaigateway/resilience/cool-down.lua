-- KEYS[1]: the cooldown. ARGV: until, now (both epoch ms, the caller's clock: never
-- TIME, so that every replica and every test agree on one clock per call).
-- Answers 1 when it stored the deadline, 0 when it kept the one stored.
local untilMs = tonumber(ARGV[1])
-- The expiry is relative to the caller's now, so Redis forgets the cooldown when it ends.
local ttl = untilMs - tonumber(ARGV[2])
if ttl <= 0 then
  -- Already over: nothing to remember (and PX refuses a TTL <= 0).
  return 0
end
-- GET answers false for a missing key; tonumber(false) is nil.
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= untilMs then
  -- Never shorten a cooldown; the stored key keeps its own, later expiry.
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1
