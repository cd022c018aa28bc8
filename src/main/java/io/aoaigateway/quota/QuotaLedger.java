package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts tokens per window, shared by every replica that uses the same ledger. Every
 * operation is atomic across the windows it is given. Implementations take the time from
 * the caller, never from their own clock, so that tests control it.
 */
public interface QuotaLedger {

	/**
	 * Reserves tokens in every window, or in none: a window has room when
	 * {@code used + reserved + tokens <= limit}. A reservation whose id was settled or
	 * released already is never made (again), so that a reserve that reaches the store
	 * after the caller gave up on it and released it leaves nothing behind; it answers
	 * "not admitted".
	 * @param reservationId unique id of this reservation, e.g. the call's id
	 * @param tokens tokens to reserve (an estimate of the call), at least 0
	 * @param windows the windows that apply to the call
	 * @param now the current time
	 * @param reservationTtl how long the reservation holds if never settled (a crashed
	 * replica), after which it stops counting
	 * @return the decision
	 */
	Mono<QuotaDecision> reserve(String reservationId, long tokens, List<QuotaWindow> windows, Instant now,
			Duration reservationTtl);

	/**
	 * Ends a reservation, once: replaces it with the tokens the call really used (0 to
	 * release it, for a call that was refused or whose reservation's outcome the caller
	 * never saw). Only the first settle of an id takes effect; later ones, and later
	 * reserves of the id, change nothing while the id is remembered. The used tokens are
	 * charged even when the reservation has expired or was never made.
	 * @param reservationId the reservation's id
	 * @param reservedTokens the tokens reserved (or asked for) under that id
	 * @param usedTokens the tokens to charge, 0 to release
	 * @param windows the windows the reservation was made in
	 * @param now the time the call ended
	 * @param remember how long to remember that the id was settled: longer than the
	 * reservation could live and than a settle may be retried
	 * @return {@code true} if this call settled, {@code false} if the id was settled
	 * before
	 */
	Mono<Boolean> settle(String reservationId, long reservedTokens, long usedTokens, List<QuotaWindow> windows,
			Instant now, Duration remember);

	/**
	 * Charges tokens once per charge id, however often it is called (e.g. an Assistants
	 * run whose terminal state many polls see).
	 * @param chargeId identifies what is charged, e.g. {@code run:run_abc}
	 * @param usedTokens the tokens to charge
	 * @param windows the windows to charge
	 * @param now the current time
	 * @param remember how long to remember that the id was charged
	 * @return {@code true} if this call charged, {@code false} if the id was charged
	 * before
	 */
	Mono<Boolean> chargeOnce(String chargeId, long usedTokens, List<QuotaWindow> windows, Instant now,
			Duration remember);

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
					? chargeOnce(charge.id(), charge.usedTokens(), charge.windows(), charge.at(), charge.remember())
					: settle(charge.id(), charge.reservedTokens(), charge.usedTokens(), charge.windows(), charge.at(),
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
