package io.aoaigateway.quota;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateStoreMonitor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Writes settles, releases and run charges to the shared ledger, in batches gathered by a
 * {@link SettleBatcher} (one store operation for the calls that end within a few
 * milliseconds of each other), and keeps the ones that could not be written (store down,
 * slow, circuit open) in a bounded queue in memory, replayed in order as soon as the
 * store answers again, so that every call is charged once even when the store was
 * unreachable when it ended.
 * <p>
 * A write whose answer was lost may have reached the store: replaying it is safe because
 * the ledger applies each id once. While entries wait, new ones queue behind them instead
 * of trying the store themselves. Replays go in batches of the batcher's size, each batch
 * one store operation that applies its writes in order, and each after the previous one
 * was written, so the order of writes of one id is kept; after a failed batch the next
 * try waits, doubling from {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF}, unless the
 * store is seen answering first ({@link #storeAnswered()}). When the queue is full, new
 * entries are dropped and counted, and the first drop of an outage is logged.
 */
final class SettlementJournal {

	private static final Log logger = LogFactory.getLog(SettlementJournal.class);

	static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

	static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

	private final QuotaLedger ledger;

	private final StateStoreMonitor monitor;

	private final GatewayMeters meters;

	private final int maxEntries;

	private final int batchSize;

	private final SettleBatcher batcher;

	private final Deque<PendingCharge> entries = new ArrayDeque<>();

	// Guarded by this.
	private boolean draining;

	private @Nullable Disposable retry;

	private Duration backoff = FIRST_BACKOFF;

	private boolean dropLogged;

	/**
	 * @param ledger the shared ledger
	 * @param monitor watches the store's operations
	 * @param meters where the journal's meters go
	 * @param maxEntries the most entries that may wait
	 * @param batchSize the most charges written in one store operation; 1 writes each
	 * charge at once
	 * @param batchDelay the longest a charge waits for others before its batch is written
	 */
	SettlementJournal(QuotaLedger ledger, StateStoreMonitor monitor, GatewayMeters meters, int maxEntries,
			int batchSize, Duration batchDelay) {
		if (maxEntries <= 0) {
			throw new IllegalArgumentException("maxEntries must be positive, was " + maxEntries);
		}
		this.ledger = ledger;
		this.monitor = monitor;
		this.meters = meters;
		this.maxEntries = maxEntries;
		this.batchSize = batchSize;
		this.batcher = new SettleBatcher(ledger, monitor, batchSize, batchDelay, this::requeue);
		meters.quotaJournalSize(this, SettlementJournal::size);
	}

	/**
	 * Writes a charge with the next batch, or queues it when entries are waiting already;
	 * a batch that cannot be written is queued.
	 * @param charge the charge
	 */
	void submit(PendingCharge charge) {
		synchronized (this) {
			if (!this.entries.isEmpty()) {
				enqueue(charge);
				return;
			}
		}
		this.batcher.add(charge);
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
	 * @return the entries waiting to be replayed
	 */
	synchronized int size() {
		return this.entries.size();
	}

	/**
	 * @return the charges not yet known to be written: waiting to be replayed, or
	 * gathered or sent in a batch
	 */
	int waiting() {
		return size() + this.batcher.waiting();
	}

	/**
	 * @return the entries waiting, oldest first
	 */
	synchronized List<PendingCharge> entries() {
		return List.copyOf(this.entries);
	}

	/**
	 * Writes the batch being gathered, replays what waits and blocks until nothing does
	 * or the time is up; for a graceful shutdown. Never call it on an event loop.
	 * @param timeout the longest wait
	 * @return the charges still not written (lost if the process ends now)
	 */
	int flush(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		this.batcher.flushAndWait(deadline);
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
		}
		return waiting();
	}

	// A batch the batcher could not write.
	private synchronized void requeue(List<PendingCharge> batch) {
		for (PendingCharge charge : batch) {
			enqueue(charge);
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
			// One store operation applies the batch's writes in order, so two writes of
			// one id may share a batch: the earlier one counts.
			batch = new ArrayList<>(Math.min(this.batchSize, this.entries.size()));
			for (PendingCharge charge : this.entries) {
				if (batch.size() == this.batchSize) {
					break;
				}
				batch.add(charge);
			}
		}
		this.monitor.observe("quota.settle", Mono.defer(() -> this.ledger.settleAll(batch)))
			.hasElement()
			.onErrorReturn(false)
			.subscribe((written) -> written(batch, written));
	}

	private void written(List<PendingCharge> batch, boolean written) {
		boolean more;
		synchronized (this) {
			if (written) {
				// Only a drain removes entries, and only from the head: the batch is
				// still the queue's head.
				for (int i = 0; i < batch.size(); i++) {
					this.entries.pollFirst();
				}
				this.meters.quotaJournal("replayed", batch.size());
			}
			this.draining = false;
			if (this.entries.isEmpty()) {
				this.backoff = FIRST_BACKOFF;
				this.dropLogged = false;
				more = false;
			}
			else if (!written) {
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

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
