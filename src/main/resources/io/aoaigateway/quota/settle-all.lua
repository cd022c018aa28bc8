-- Several settles and run charges in one call, applied in their order, each exactly as
-- settle.lua or charge-once.lua applies it alone; the reply has one character per write,
-- '1' (applied) or '0' (its id was written before).
-- KEYS: per write, its windows' pairs, then its marker.
-- ARGV: the number of writes, then per write: kind ('s' settle, 'c' run charge), window
-- count, now, reservation id (empty for a charge), remember (ms), then per window: ttl
-- (ms), reserved amount, used amount (in the window's unit).
-- Each write brings its own now (when its call ended), which replaces the common one.
local replies = {}
local k, a = 1, 2
for w = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a + 1])
  now = tonumber(ARGV[a + 2])
  if ARGV[a] == 's' then
    replies[w] = settle(k, n, ARGV[a + 3], ARGV[a + 4], a + 5)
  else
    replies[w] = charge(k, n, ARGV[a + 4], a + 5)
  end
  k = k + 2 * n + 1
  a = a + 5 + 3 * n
end
return table.concat(replies)
