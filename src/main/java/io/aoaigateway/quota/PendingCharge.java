package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One write to the shared ledger that must happen exactly once: a reservation's settle
 * (or release, with 0 used tokens) or an Assistants run's charge.
 *
 * @param id the reservation id, or the charge id of a run ({@code run:<id>})
 * @param reservedTokens the tokens reserved under the id (0 for a run)
 * @param usedTokens the tokens to charge
 * @param windows the windows to charge
 * @param at when the call ended: windows and expiries are computed from it, however late
 * the write happens
 * @param remember how long the ledger remembers that the id was written
 * @param run whether this is a run's charge ({@link QuotaLedger#chargeOnce}) rather than
 * a settle
 */
public record PendingCharge(String id, long reservedTokens, long usedTokens, List<QuotaWindow> windows, Instant at,
		Duration remember, boolean run) {

	public PendingCharge {
		// Checked here, where the charge is made, so that a bad one fails its caller
		// rather than every batch it would join.
		Arguments.requireNotNegative("reservedTokens", reservedTokens);
		Arguments.requireNotNegative("usedTokens", usedTokens);
		Arguments.requirePositive("remember", remember);
		windows = List.copyOf(windows);
	}

	/**
	 * @param reservation the reservation to settle
	 * @param usedTokens what the call used, 0 to release the reservation
	 * @param at when the call ended
	 * @param remember how long the settle is remembered
	 * @return the settle
	 */
	static PendingCharge settle(Reservation reservation, long usedTokens, Instant at, Duration remember) {
		return new PendingCharge(reservation.id(), reservation.tokens(), usedTokens, reservation.windows(), at,
				remember, false);
	}

}
