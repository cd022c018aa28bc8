package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import reactor.core.publisher.Mono;

/**
 * A {@link QuotaLedger} in this process's memory, for a single replica. Every operation
 * runs under one lock, so a reservation is checked and added in all of its windows or in
 * none, however many threads call at once; the work under the lock is a few map lookups.
 * <p>
 * Memory stays bounded without a background thread: expired reservations are dropped when
 * their window is next touched, and windows (one minute after they reset) and remembered
 * charge and settled reservation ids are swept at most every {@link #SWEEP_INTERVAL} of
 * the callers' time.
 */
public class InMemoryQuotaLedger implements QuotaLedger {

	/**
	 * How long a window is kept after it resets: a late settle of a call that started in
	 * it may still be charged to it, as in the Redis ledger.
	 */
	static final Duration GRACE = Duration.ofMinutes(1);

	/**
	 * The least time between two sweeps of the whole ledger, so that a sweep costs little
	 * per call.
	 */
	static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);

	private final Object lock = new Object();

	private final Map<String, Counter> counters = new HashMap<>();

	private final Map<String, Instant> charged = new HashMap<>();

	private final Map<String, Instant> settled = new HashMap<>();

	private Instant nextSweep = Instant.MIN;

	/**
	 * Creates an empty ledger.
	 */
	public InMemoryQuotaLedger() {
	}

	@Override
	public Mono<QuotaDecision> reserve(String reservationId, Amount amount, List<QuotaWindow> windows, Instant now,
			Duration reservationTtl) {
		Objects.requireNonNull(amount, "amount must not be null");
		Arguments.requirePositive("reservationTtl", reservationTtl);
		return Mono.fromCallable(() -> {
			synchronized (this.lock) {
				sweep(now);
				List<Counter> counters = counters(windows, now);
				// Settled or released already: a reserve that comes after the caller gave
				// up on it must not hold room that nothing releases.
				boolean admitted = !isRemembered(this.settled, reservationId, now);
				for (int i = 0; i < windows.size(); i++) {
					Counter counter = counters.get(i);
					if (counter.used + counter.reserved + windows.get(i).of(amount) > windows.get(i).limit()) {
						admitted = false;
					}
				}
				if (admitted) {
					Instant expiresAt = now.plus(reservationTtl);
					for (int i = 0; i < windows.size(); i++) {
						Counter counter = counters.get(i);
						long held = windows.get(i).of(amount);
						// Made again, a reservation only gets a later expiry (as ZADD
						// does in Redis): its amount must not count twice.
						Instant previous = counter.reservations.put(new Held(reservationId, held), expiresAt);
						if (previous == null) {
							counter.reserved += held;
						}
					}
				}
				return new QuotaDecision(admitted, states(windows, counters));
			}
		});
	}

	@Override
	public Mono<Boolean> settle(String reservationId, Amount reserved, Amount used, List<QuotaWindow> windows,
			Instant now, Duration remember) {
		Objects.requireNonNull(reserved, "reserved must not be null");
		Objects.requireNonNull(used, "used must not be null");
		Arguments.requirePositive("remember", remember);
		return Mono.fromCallable(() -> {
			synchronized (this.lock) {
				sweep(now);
				if (isRemembered(this.settled, reservationId, now)) {
					return false;
				}
				this.settled.put(reservationId, now.plus(remember));
				List<Counter> counters = counters(windows, now);
				for (int i = 0; i < windows.size(); i++) {
					Counter counter = counters.get(i);
					long held = windows.get(i).of(reserved);
					// Absent when it expired and was dropped already, or was never made:
					// its amount does not count, so subtracting it would undercount.
					if (counter.reservations.remove(new Held(reservationId, held)) != null) {
						counter.reserved -= held;
					}
					counter.used += windows.get(i).of(used);
				}
				return true;
			}
		});
	}

	@Override
	public Mono<Boolean> chargeOnce(String chargeId, Amount used, List<QuotaWindow> windows, Instant now,
			Duration remember) {
		Objects.requireNonNull(used, "used must not be null");
		Arguments.requirePositive("remember", remember);
		return Mono.fromCallable(() -> {
			synchronized (this.lock) {
				sweep(now);
				if (isRemembered(this.charged, chargeId, now)) {
					return false;
				}
				this.charged.put(chargeId, now.plus(remember));
				List<Counter> counters = counters(windows, now);
				for (int i = 0; i < windows.size(); i++) {
					counters.get(i).used += windows.get(i).of(used);
				}
				return true;
			}
		});
	}

	@Override
	public Mono<List<WindowState>> read(List<QuotaWindow> windows, Instant now) {
		return Mono.fromCallable(() -> {
			synchronized (this.lock) {
				List<WindowState> states = new ArrayList<>(windows.size());
				for (QuotaWindow window : windows) {
					Counter counter = this.counters.get(window.key());
					if (counter == null || counter.isForgottenAt(now)) {
						states.add(new WindowState(window, 0, 0));
					}
					else {
						counter.dropExpired(now);
						states.add(new WindowState(window, counter.used, counter.reserved));
					}
				}
				return List.copyOf(states);
			}
		});
	}

	/**
	 * Starts a window that this ledger has not counted yet at an amount counted elsewhere
	 * (what another store last showed); a window it counts already is left as it is.
	 * @param window the window
	 * @param tokens what is already used or reserved in it, in its unit
	 * @param now the current time
	 * @return whether the window was started here
	 */
	boolean seed(QuotaWindow window, long tokens, Instant now) {
		Arguments.requireNotNegative("tokens", tokens);
		synchronized (this.lock) {
			Counter counter = this.counters.get(window.key());
			if (counter == null || counter.isForgottenAt(now)) {
				counters(List.of(window), now).get(0).used = tokens;
				return true;
			}
			return false;
		}
	}

	/**
	 * Changes what a window this ledger counts has used, never below 0; a window it does
	 * not count is left alone.
	 * @param window the window
	 * @param tokens what to add in its unit, negative to take away
	 * @param now the current time
	 */
	void adjust(QuotaWindow window, long tokens, Instant now) {
		synchronized (this.lock) {
			Counter counter = this.counters.get(window.key());
			if (counter != null && !counter.isForgottenAt(now)) {
				counter.used = Math.max(0, counter.used + tokens);
			}
		}
	}

	/**
	 * @return how many windows and charge ids the ledger holds, for tests of its bounds
	 */
	int size() {
		synchronized (this.lock) {
			return this.counters.size() + this.charged.size() + this.settled.size();
		}
	}

	// Callers hold the lock.
	private List<Counter> counters(List<QuotaWindow> windows, Instant now) {
		List<Counter> counters = new ArrayList<>(windows.size());
		for (QuotaWindow window : windows) {
			Counter counter = this.counters.get(window.key());
			if (counter == null || counter.isForgottenAt(now)) {
				counter = new Counter();
				this.counters.put(window.key(), counter);
			}
			counter.forgetAt = max(counter.forgetAt, window.resetsAt().plus(GRACE));
			counter.dropExpired(now);
			counters.add(counter);
		}
		return counters;
	}

	// Callers hold the lock.
	private void sweep(Instant now) {
		if (now.isBefore(this.nextSweep)) {
			return;
		}
		this.nextSweep = now.plus(SWEEP_INTERVAL);
		this.counters.values().removeIf((counter) -> counter.isForgottenAt(now));
		this.charged.values().removeIf((forgetAt) -> !now.isBefore(forgetAt));
		this.settled.values().removeIf((forgetAt) -> !now.isBefore(forgetAt));
	}

	private static boolean isRemembered(Map<String, Instant> ids, String id, Instant now) {
		Instant forgetAt = ids.get(id);
		return forgetAt != null && now.isBefore(forgetAt);
	}

	private static List<WindowState> states(List<QuotaWindow> windows, List<Counter> counters) {
		List<WindowState> states = new ArrayList<>(windows.size());
		for (int i = 0; i < windows.size(); i++) {
			states.add(new WindowState(windows.get(i), counters.get(i).used, counters.get(i).reserved));
		}
		return states;
	}

	private static Instant max(Instant a, Instant b) {
		return a.isAfter(b) ? a : b;
	}

	/**
	 * One reservation in one window; its amount there is part of the identity, as in the
	 * Redis ledger's members.
	 */
	private record Held(String id, long amount) {
	}

	/**
	 * One window's counts, in its unit.
	 */
	private static final class Counter {

		private long used;

		private long reserved;

		private final Map<Held, Instant> reservations = new HashMap<>();

		private Instant forgetAt = Instant.MIN;

		boolean isForgottenAt(Instant now) {
			return !now.isBefore(this.forgetAt);
		}

		// A reservation stops counting at its expiry: the replica that made it is gone.
		void dropExpired(Instant now) {
			for (Iterator<Map.Entry<Held, Instant>> it = this.reservations.entrySet().iterator(); it.hasNext();) {
				Map.Entry<Held, Instant> entry = it.next();
				if (!now.isBefore(entry.getValue())) {
					this.reserved -= entry.getKey().amount();
					it.remove();
				}
			}
		}

	}

}
