-- KEYS: the windows' pairs, then the charge id's marker. ARGV: now, usedTokens,
-- remember (ms), then per window: ttl (ms).
return charge(1, windows, tonumber(ARGV[2]), ARGV[3], 4)
