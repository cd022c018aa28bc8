-- KEYS: the windows' pairs, then the reservation id's settled marker.
-- ARGV: now, member ("<reservationId>:<reservedTokens>"), reservedTokens, usedTokens,
-- remember (ms), then per window: ttl (ms).
return settle(1, windows, ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], 6)
