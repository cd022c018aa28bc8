-- ARGV: now. Dropping expired reservations is no change: they no longer count anyway.
local used, reserved = {}, {}
for i = 1, windows do
  local hash, zset = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, zset)
  used[i], reserved[i] = state(hash)
end
return reply('1', used, reserved)
