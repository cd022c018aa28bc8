package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One write to the shared ledger that must happen exactly once: a reservation's settle
 * (or release, with 0 used tokens) or an Assistants run's charge.
 *
 * @param id the reservation id, or the charge id of a run ({@code run:<id>})
 * @param reserved what was reserved under the id (nothing for a run)
 * @param used what to charge
 * @param windows the windows to charge
 * @param at when the call ended: windows and expiries are computed from it, however late
 * the write happens
 * @param remember how long the ledger remembers that the id was written
 * @param run whether this is a run's charge ({@link QuotaLedger#chargeOnce}) rather than
 * a settle
 */
public record PendingCharge(String id, Amount reserved, Amount used, List<QuotaWindow> windows, Instant at,
		Duration remember, boolean run) {

	public PendingCharge {
		// Checked here, where the charge is made, so that a bad one fails its caller
		// rather than every batch it would join.
		Objects.requireNonNull(reserved, "reserved must not be null");
		Objects.requireNonNull(used, "used must not be null");
		Arguments.requirePositive("remember", remember);
		windows = List.copyOf(windows);
	}

	/**
	 * @param reservation the reservation to settle
	 * @param used what the call used, {@link Amount#ZERO} to release the reservation
	 * @param at when the call ended
	 * @param remember how long the settle is remembered
	 * @return the settle
	 */
	static PendingCharge settle(Reservation reservation, Amount used, Instant at, Duration remember) {
		return new PendingCharge(reservation.id(), reservation.amount(), used, reservation.windows(), at, remember,
				false);
	}

}
