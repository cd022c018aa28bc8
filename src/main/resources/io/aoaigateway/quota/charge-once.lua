-- KEYS: the windows' pairs, then the charge id's marker. ARGV: now, remember (ms), then
-- per window: ttl (ms), 0, used amount (in the window's unit).
return charge(1, windows, ARGV[2], 3)
