package io.aoaigateway.quota;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateStoreMonitor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes settles, releases and run charges to the shared ledger, and keeps the ones that
 * could not be written (store down, slow, circuit open) in a bounded queue in memory,
 * replayed in order as soon as the store answers again, so that every call is charged
 * once even when the store was unreachable when it ended.
 * <p>
 * A write whose answer was lost may have reached the store: replaying it is safe because
 * the ledger applies each id once. While entries wait, new ones queue behind them instead
 * of trying the store themselves. Replays go in batches, each batch after the previous
 * one was written, and never two writes of one id in a batch, so the order of writes of
 * one id is kept; after a failed batch the next try waits, doubling from
 * {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF}, unless the store is seen answering
 * first ({@link #storeAnswered()}). When the queue is full, new entries are dropped and
 * counted, and the first drop of an outage is logged.
 */
final class SettlementJournal {

	private static final Log logger = LogFactory.getLog(SettlementJournal.class);

	static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

	static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

	/** Writes in flight at once during a replay. */
	static final int BATCH = 32;

	private final QuotaLedger ledger;

	private final StateStoreMonitor monitor;

	private final GatewayMeters meters;

	private final int maxEntries;

	private final Deque<PendingCharge> entries = new ArrayDeque<>();

	// Guarded by this.
	private boolean draining;

	private @Nullable Disposable retry;

	private Duration backoff = FIRST_BACKOFF;

	private boolean dropLogged;

	SettlementJournal(QuotaLedger ledger, StateStoreMonitor monitor, GatewayMeters meters, int maxEntries) {
		if (maxEntries <= 0) {
			throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
		}
		this.ledger = ledger;
		this.monitor = monitor;
		this.meters = meters;
		this.maxEntries = maxEntries;
		meters.quotaJournalSize(this, SettlementJournal::size);
	}

	/**
	 * Writes a charge now, or queues it when entries are waiting already or the write
	 * fails.
	 * @param charge the charge
	 */
	void submit(PendingCharge charge) {
		synchronized (this) {
			if (!this.entries.isEmpty()) {
				enqueue(charge);
				return;
			}
		}
		write(charge).subscribe(null, (ex) -> {
			synchronized (this) {
				enqueue(charge);
			}
		});
	}

	/**
	 * Tells the journal that the store answered a call: waiting entries are replayed now
	 * rather than after the back-off.
	 */
	void storeAnswered() {
		synchronized (this) {
			if (this.entries.isEmpty() || this.draining) {
				return;
			}
			if (this.retry != null) {
				this.retry.dispose();
				this.retry = null;
			}
			this.backoff = FIRST_BACKOFF;
		}
		drain();
	}

	/**
	 * @return the entries waiting
	 */
	synchronized int size() {
		return this.entries.size();
	}

	/**
	 * @return the entries waiting, oldest first
	 */
	synchronized List<PendingCharge> entries() {
		return List.copyOf(this.entries);
	}

	/**
	 * Replays what waits and blocks until nothing does or the time is up; for a graceful
	 * shutdown. Never call it on an event loop.
	 * @param timeout the longest wait
	 * @return the entries still waiting (lost if the process ends now)
	 */
	int flush(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		storeAnswered();
		synchronized (this) {
			long left;
			while (!this.entries.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
				if (!this.draining && this.retry == null) {
					scheduleReplay(Duration.ZERO);
				}
				try {
					wait(Math.max(1, left / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			return this.entries.size();
		}
	}

	// Callers hold the lock.
	private void enqueue(PendingCharge charge) {
		if (this.entries.size() >= this.maxEntries) {
			this.meters.quotaJournal("dropped", 1);
			if (!this.dropLogged) {
				this.dropLogged = true;
				logger.warn("The quota journal is full (" + this.maxEntries + " charges waiting for the shared store); "
						+ "further charges are dropped until it drains, see aoai_gateway_quota_journal_total");
			}
			return;
		}
		this.entries.addLast(charge);
		this.meters.quotaJournal("queued", 1);
		if (!this.draining && this.retry == null) {
			scheduleReplay(this.backoff);
		}
	}

	// Callers hold the lock.
	private void scheduleReplay(Duration delay) {
		this.retry = Mono.delay(delay).subscribe((tick) -> {
			synchronized (this) {
				this.retry = null;
			}
			drain();
		});
	}

	private void drain() {
		List<PendingCharge> batch;
		synchronized (this) {
			if (this.draining || this.entries.isEmpty()) {
				return;
			}
			this.draining = true;
			batch = new ArrayList<>(Math.min(BATCH, this.entries.size()));
			Set<String> ids = new HashSet<>();
			for (PendingCharge charge : this.entries) {
				// The writes of a batch may reach the store in any order; two writes of
				// one id go in different batches so that the earlier one is the one that
				// counts.
				if (batch.size() == BATCH || !ids.add(charge.id())) {
					break;
				}
				batch.add(charge);
			}
		}
		Flux.fromIterable(batch)
			.flatMap((charge) -> write(charge).thenReturn(charge).onErrorResume((ex) -> Mono.empty()), BATCH)
			.collectList()
			.subscribe((written) -> written(batch.size(), written), (ex) -> written(batch.size(), List.of()));
	}

	private void written(int tried, List<PendingCharge> written) {
		boolean more;
		synchronized (this) {
			Set<PendingCharge> done = Collections.newSetFromMap(new IdentityHashMap<>());
			done.addAll(written);
			this.entries.removeIf(done::contains);
			this.meters.quotaJournal("replayed", written.size());
			this.draining = false;
			boolean failed = written.size() < tried;
			if (this.entries.isEmpty()) {
				this.backoff = FIRST_BACKOFF;
				this.dropLogged = false;
				more = false;
			}
			else if (failed) {
				this.backoff = min(this.backoff.multipliedBy(2), MAX_BACKOFF);
				scheduleReplay(this.backoff);
				more = false;
			}
			else {
				more = true;
			}
			notifyAll();
		}
		if (more) {
			drain();
		}
	}

	private Mono<Boolean> write(PendingCharge charge) {
		if (charge.run()) {
			return this.monitor.observe("quota.charge-run", this.ledger.chargeOnce(charge.id(), charge.usedTokens(),
					charge.windows(), charge.at(), charge.remember()));
		}
		return this.monitor.observe("quota.settle", this.ledger.settle(charge.id(), charge.reservedTokens(),
				charge.usedTokens(), charge.windows(), charge.at(), charge.remember()));
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
