package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts tokens, or cost, per window, shared by every replica that uses the same ledger.
 * Every operation is atomic across the windows it is given, whatever their units: an
 * operation carries an {@link Amount} and each window takes its own part of it.
 * Implementations take the time from the caller, never from their own clock, so that
 * tests control it.
 */
public interface QuotaLedger {

	/**
	 * Reserves an amount in every window, or in none: a window has room when
	 * {@code used + reserved + amount <= limit}, in its unit. A reservation whose id was
	 * settled or released already is never made (again), so that a reserve that reaches
	 * the store after the caller gave up on it and released it leaves nothing behind; it
	 * answers "not admitted".
	 * @param reservationId unique id of this reservation, e.g. the call's id
	 * @param amount what to reserve (an estimate of the call)
	 * @param windows the windows that apply to the call
	 * @param now the current time
	 * @param reservationTtl how long the reservation holds if never settled (a crashed
	 * replica), after which it stops counting
	 * @return the decision
	 */
	Mono<QuotaDecision> reserve(String reservationId, Amount amount, List<QuotaWindow> windows, Instant now,
			Duration reservationTtl);

	/**
	 * Ends a reservation, once: replaces it with what the call really used (nothing to
	 * release it, for a call that was refused or whose reservation's outcome the caller
	 * never saw). Only the first settle of an id takes effect; later ones, and later
	 * reserves of the id, change nothing while the id is remembered. The used amount is
	 * charged even when the reservation has expired or was never made.
	 * @param reservationId the reservation's id
	 * @param reserved what was reserved (or asked for) under that id
	 * @param used what to charge, {@link Amount#ZERO} to release
	 * @param windows the windows the reservation was made in
	 * @param now the time the call ended
	 * @param remember how long to remember that the id was settled: longer than the
	 * reservation could live and than a settle may be retried
	 * @return {@code true} if this call settled, {@code false} if the id was settled
	 * before
	 */
	Mono<Boolean> settle(String reservationId, Amount reserved, Amount used, List<QuotaWindow> windows, Instant now,
			Duration remember);

	/**
	 * Charges an amount once per charge id, however often it is called (e.g. an
	 * Assistants run whose terminal state many polls see).
	 * @param chargeId identifies what is charged, e.g. {@code run:run_abc}
	 * @param used what to charge
	 * @param windows the windows to charge
	 * @param now the current time
	 * @param remember how long to remember that the id was charged
	 * @return {@code true} if this call charged, {@code false} if the id was charged
	 * before
	 */
	Mono<Boolean> chargeOnce(String chargeId, Amount used, List<QuotaWindow> windows, Instant now, Duration remember);

	/**
	 * Writes settles and run charges in their order, each as {@link #settle} or
	 * {@link #chargeOnce} would write it alone (so a second write of one id in the list
	 * changes nothing). A store may write them all in one operation; this default writes
	 * them one after the other.
	 * @param charges the writes, in order
	 * @return per write, in order, whether it took effect ({@code false}: its id was
	 * written before)
	 */
	default Mono<List<Boolean>> settleAll(List<PendingCharge> charges) {
		return Flux.fromIterable(charges)
			.concatMap((charge) -> charge.run()
					? chargeOnce(charge.id(), charge.used(), charge.windows(), charge.at(), charge.remember())
					: settle(charge.id(), charge.reserved(), charge.used(), charge.windows(), charge.at(),
							charge.remember()))
			.collectList();
	}

	/**
	 * Reads windows without changing them (expired reservations stop counting).
	 * @param windows the windows
	 * @param now the current time
	 * @return their states, in the given order
	 */
	Mono<List<WindowState>> read(List<QuotaWindow> windows, Instant now);

}
