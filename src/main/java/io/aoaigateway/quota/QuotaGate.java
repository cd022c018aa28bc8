package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.aoaigateway.state.StateStoreMonitor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Decides whether a call may go ahead and sees that it is charged exactly once, whatever
 * the shared store does: the admission and settle side of token quotas, without HTTP.
 * <p>
 * A call is reserved in the shared ledger under its reservation id. When the store fails
 * or does not answer in time, the reserve may still reach it later, so the call's id is
 * always settled: with the used tokens when the call was admitted, with 0 (a release)
 * when it was refused; the ledger applies the first settle of an id and refuses a reserve
 * that comes after it. Settles that cannot be written wait in the
 * {@link SettlementJournal}. While the store fails, fail-open admits against the
 * {@link LocalQuotaView} instead of admitting unmetered; fail-closed refuses.
 */
final class QuotaGate {

	/**
	 * How much longer than a reservation can live a settled id is remembered: a settle
	 * replayed from the journal up to this long after its first try, which may have
	 * reached the store, still counts once.
	 */
	static final Duration SETTLED_MARGIN = Duration.ofMinutes(10);

	private final QuotaLedger shared;

	private final StateStoreMonitor monitor;

	private final SettlementJournal journal;

	private final LocalQuotaView local;

	private final Duration reservationTtl;

	QuotaGate(QuotaLedger shared, StateStoreMonitor monitor, SettlementJournal journal, LocalQuotaView local,
			Duration reservationTtl) {
		this.shared = shared;
		this.monitor = monitor;
		this.journal = journal;
		this.local = local;
		this.reservationTtl = reservationTtl;
	}

	/**
	 * Reserves a call's estimate.
	 * @param reservation the call's reservation
	 * @param now the current time
	 * @return the admission; never fails
	 */
	Mono<Admission> admit(Reservation reservation, Instant now) {
		List<QuotaWindow> windows = reservation.windows();
		AtomicBoolean answered = new AtomicBoolean();
		return this.monitor
			.observe("quota.reserve",
					this.shared.reserve(reservation.id(), reservation.amount(), windows, now, this.reservationTtl))
			.map((decision) -> {
				answered.set(true);
				long seenAt = this.local.saw(decision.windows());
				if (this.journal.size() == 0) {
					this.local.storeRecovered();
				}
				this.journal.storeAnswered();
				return decision.admitted() ? new Admission(Outcome.ADMITTED, decision, null, seenAt)
						: new Admission(Outcome.REFUSED, decision, null, seenAt);
			})
			.onErrorResume((ex) -> {
				answered.set(true);
				return storeFailed(reservation, now);
			})
			.doOnCancel(() -> {
				// The client left while the reserve was under way: it may still be made.
				if (answered.compareAndSet(false, true)) {
					this.journal.submit(PendingCharge.settle(reservation, Amount.ZERO, now, remember()));
				}
			});
	}

	private Mono<Admission> storeFailed(Reservation reservation, Instant now) {
		if (this.monitor.policy() == FailurePolicy.FAIL_CLOSED) {
			// The reserve may still reach the store: release it by id.
			this.journal.submit(PendingCharge.settle(reservation, Amount.ZERO, now, remember()));
			return Mono.just(new Admission(Outcome.STORE_DOWN, null, null, 0));
		}
		List<QuotaWindow> windows = reservation.windows();
		InMemoryQuotaLedger ledger = this.local.ledger(windows, now);
		return ledger.reserve(reservation.id(), reservation.amount(), windows, now, this.reservationTtl)
			.map((decision) -> {
				if (decision.admitted()) {
					return new Admission(Outcome.ADMITTED_LOCAL, decision, ledger, 0);
				}
				this.journal.submit(PendingCharge.settle(reservation, Amount.ZERO, now, remember()));
				return new Admission(Outcome.REFUSED, decision, null, 0);
			});
	}

	/**
	 * Settles an admitted call, once, in the ledger that admitted it and in the shared
	 * one (now, or when the store answers again).
	 * @param reservation the call's reservation
	 * @param admission how it was admitted
	 * @param used what the call is charged
	 * @param now when the call ended
	 */
	void settle(Reservation reservation, Admission admission, Amount used, Instant now) {
		InMemoryQuotaLedger ledger = admission.local();
		if (ledger != null) {
			ledger.settle(reservation.id(), reservation.amount(), used, reservation.windows(), now, remember())
				.subscribe();
		}
		else {
			this.local.settledInStore(reservation.windows(), admission.seenAt(), reservation.amount(), used, now);
		}
		this.journal.submit(PendingCharge.settle(reservation, used, now, remember()));
	}

	/**
	 * Charges a run or background response once per charge id.
	 * @param chargeId what is charged, e.g. {@code run:<id>}
	 * @param used its usage
	 * @param windows the windows to charge
	 * @param now the current time
	 * @param remember how long the id is remembered as charged
	 */
	void chargeRun(String chargeId, Amount used, List<QuotaWindow> windows, Instant now, Duration remember) {
		this.journal.submit(new PendingCharge(chargeId, Amount.ZERO, used, windows, now, remember, true));
	}

	private Duration remember() {
		return this.reservationTtl.plus(SETTLED_MARGIN);
	}

	/** How a call was admitted, or why not. */
	enum Outcome {

		/** Reserved in the shared ledger. */
		ADMITTED,

		/** The shared store failed; reserved in this replica's view of it (fail-open). */
		ADMITTED_LOCAL,

		/** No room in a window (of the shared ledger, or of the local view). */
		REFUSED,

		/** The shared store failed and the policy is fail-closed. */
		STORE_DOWN

	}

	/**
	 * The answer to a call's reservation.
	 *
	 * @param outcome how it was admitted, or why not
	 * @param decision the ledger's decision, with the windows' states; null when the
	 * store failed under fail-closed
	 * @param local the local ledger that admitted it, for {@link Outcome#ADMITTED_LOCAL}
	 * @param seenAt the place of the store's reply among those the local view saw, for
	 * {@link Outcome#ADMITTED}
	 */
	record Admission(Outcome outcome, @Nullable QuotaDecision decision, @Nullable InMemoryQuotaLedger local,
			long seenAt) {

		boolean admitted() {
			return this.outcome == Outcome.ADMITTED || this.outcome == Outcome.ADMITTED_LOCAL;
		}

	}

}
