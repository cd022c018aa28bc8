package io.aoaigateway.quota;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
	 */
	synchronized void saw(List<WindowState> states) {
		for (WindowState state : states) {
			this.seen.put(state.window().key(),
					new Seen(satAdd(state.used(), state.reserved()), state.window().resetsAt()));
		}
	}

	/**
	 * Ends the current outage: the store answers and nothing waits to be written to it.
	 */
	synchronized void storeRecovered() {
		this.outage = null;
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
			ledger.seed(window, (last != null && now.isBefore(last.resetsAt())) ? last.tokens() : 0, now);
		}
		return ledger;
	}

	/**
	 * @return how many windows are remembered, for tests of the bound
	 */
	synchronized int size() {
		return this.seen.size();
	}

	private static long satAdd(long a, long b) {
		long sum = a + b;
		return (sum < 0) ? Long.MAX_VALUE : sum;
	}

	private record Seen(long tokens, Instant resetsAt) {
	}

}
