package io.aoaigateway.quota;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.aoaigateway.usage.TokenUsage;
import org.jspecify.annotations.Nullable;

/**
 * What this replica admits against while the shared store fails under fail-open: a ledger
 * in memory with the same policies, whose windows start at what the shared store last
 * showed this replica (used plus reserved), so that the replica admits at most what was
 * left of each window rather than admitting calls unmetered.
 * <p>
 * One local ledger serves one outage: it starts with the first call the store fails and
 * ends when the store admits a call again with nothing left to replay, so the next outage
 * starts again from the store's fresher view. What the store showed is remembered per
 * window until the window resets, for at most {@code maxWindows} windows (the least
 * recently seen are forgotten first).
 */
final class LocalQuotaView {

	private final int maxWindows;

	private final Map<String, Seen> seen;

	private @Nullable InMemoryQuotaLedger outage;

	// Counts the store's replies seen, so that a call knows whether a window's start in
	// the local ledger already counted its reservation.
	private long version;

	// For the current outage: when (in replies seen) each window was started.
	private final Map<String, Long> startedAt = new HashMap<>();

	LocalQuotaView(int maxWindows) {
		if (maxWindows <= 0) {
			throw new IllegalArgumentException("maxWindows must be positive, was " + maxWindows);
		}
		this.maxWindows = maxWindows;
		this.seen = new LinkedHashMap<>(16, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
				return size() > LocalQuotaView.this.maxWindows;
			}
		};
	}

	/**
	 * Remembers windows as the shared store showed them.
	 * @param states the windows' states in a reply of the store
	 * @return the reply's place in the order of replies seen
	 */
	synchronized long saw(List<WindowState> states) {
		for (WindowState state : states) {
			this.seen.put(state.window().key(),
					new Seen(TokenUsage.addSaturated(state.used(), state.reserved()), state.window().resetsAt()));
		}
		return ++this.version;
	}

	/**
	 * Ends the current outage: the store answers and nothing waits to be written to it.
	 */
	synchronized void storeRecovered() {
		this.outage = null;
		this.startedAt.clear();
	}

	/**
	 * Tells the view that a call the store admitted has ended while the view is in use:
	 * where the local ledger started a window from a reply that showed the call's
	 * reservation, the reservation is replaced by the call's usage there too, so that the
	 * outage's windows do not keep counting estimates of calls long ended.
	 * @param windows the call's windows
	 * @param seenAt the place of the call's own reply, from {@link #saw}
	 * @param reserved the call's reservation
	 * @param used its usage
	 * @param now the current time
	 */
	synchronized void settledInStore(List<QuotaWindow> windows, long seenAt, Amount reserved, Amount used,
			Instant now) {
		InMemoryQuotaLedger ledger = this.outage;
		if (ledger == null) {
			return;
		}
		for (QuotaWindow window : windows) {
			Long started = this.startedAt.get(window.key());
			if (started != null && started >= seenAt) {
				ledger.adjust(window, window.of(used) - window.of(reserved), now);
			}
		}
	}

	/**
	 * The ledger to admit against now, its windows started at what the store last showed.
	 * @param windows the windows of the call
	 * @param now the current time
	 * @return the outage's ledger
	 */
	synchronized InMemoryQuotaLedger ledger(List<QuotaWindow> windows, Instant now) {
		InMemoryQuotaLedger ledger = this.outage;
		if (ledger == null) {
			ledger = new InMemoryQuotaLedger();
			this.outage = ledger;
		}
		for (QuotaWindow window : windows) {
			Seen last = this.seen.get(window.key());
			if (ledger.seed(window, (last != null && now.isBefore(last.resetsAt())) ? last.tokens() : 0, now)
					&& this.startedAt.size() < this.maxWindows) {
				this.startedAt.put(window.key(), this.version);
			}
		}
		return ledger;
	}

	/**
	 * @return how many windows are remembered, for tests of the bound
	 */
	synchronized int size() {
		return this.seen.size();
	}

	private record Seen(long tokens, Instant resetsAt) {
	}

}
