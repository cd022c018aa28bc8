-- KEYS: the windows' pairs, then the reservation id's settled marker.
-- ARGV: now, reservationId, remember (ms), then per window: ttl (ms), reserved amount,
-- used amount (both in the window's unit).
return settle(1, windows, ARGV[2], ARGV[3], 4)
