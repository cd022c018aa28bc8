package io.aoaigateway.quota;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.aoaigateway.state.StateStoreMonitor;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Gathers the charges (settles, releases, run charges) of calls that end close together
 * and writes them to the shared ledger in one operation ({@link QuotaLedger#settleAll}:
 * one script call, one round trip on Redis) instead of one each, off the request path. A
 * batch goes when it holds {@code maxSize} charges, or {@code maxDelay} after its first
 * charge came, whichever is first. A batch that cannot be written (store down, slow,
 * circuit open) is handed whole, in order, to the {@link SettlementJournal}, which
 * replays it; the ledger applies each id once, so a batch that did reach the store is
 * safe to replay.
 * <p>
 * Gathering never holds more than {@code maxSize} charges; batches being written are
 * bounded by the store's time box, as single writes were.
 */
final class SettleBatcher {

	private final QuotaLedger ledger;

	private final StateStoreMonitor monitor;

	private final int maxSize;

	private final Duration maxDelay;

	private final Consumer<List<PendingCharge>> failed;

	// Guarded by this.
	private List<PendingCharge> gathering = new ArrayList<>();

	private @Nullable Disposable timer;

	// Charges sent and not yet answered.
	private int writing;

	/**
	 * @param ledger the shared ledger
	 * @param monitor watches the store's operations
	 * @param maxSize the most charges in one batch; 1 writes each charge at once
	 * @param maxDelay the longest a charge waits for others before its batch goes
	 * @param failed takes a batch that could not be written, in order
	 */
	SettleBatcher(QuotaLedger ledger, StateStoreMonitor monitor, int maxSize, Duration maxDelay,
			Consumer<List<PendingCharge>> failed) {
		if (maxSize <= 0) {
			throw new IllegalArgumentException("maxSize must be positive, was " + maxSize);
		}
		if (maxDelay.isNegative()) {
			throw new IllegalArgumentException("maxDelay must not be negative, was " + maxDelay);
		}
		this.ledger = ledger;
		this.monitor = monitor;
		this.maxSize = maxSize;
		this.maxDelay = maxDelay;
		this.failed = failed;
	}

	/**
	 * Adds a charge to the batch being gathered; sends the batch when it is full.
	 * @param charge the charge
	 */
	void add(PendingCharge charge) {
		List<PendingCharge> full;
		synchronized (this) {
			this.gathering.add(charge);
			if (this.gathering.size() < this.maxSize) {
				if (this.timer == null) {
					this.timer = Mono.delay(this.maxDelay).subscribe((tick) -> flush());
				}
				return;
			}
			full = take();
		}
		write(full);
	}

	/**
	 * Sends the batch being gathered now, without waiting for more charges.
	 */
	void flush() {
		List<PendingCharge> batch;
		synchronized (this) {
			if (this.gathering.isEmpty()) {
				return;
			}
			batch = take();
		}
		write(batch);
	}

	/**
	 * @return the charges gathered or being written, not yet known to be written
	 */
	synchronized int waiting() {
		return this.gathering.size() + this.writing;
	}

	/**
	 * Sends what is gathered and blocks until every batch sent has been answered
	 * (written, or handed to the journal) or the deadline passes. Never call it on an
	 * event loop.
	 * @param deadline in {@link System#nanoTime()} terms
	 */
	void flushAndWait(long deadline) {
		flush();
		synchronized (this) {
			long left;
			while (this.writing > 0 && (left = deadline - System.nanoTime()) > 0) {
				try {
					wait(Math.max(1, left / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	// Callers hold the lock.
	private List<PendingCharge> take() {
		if (this.timer != null) {
			this.timer.dispose();
			this.timer = null;
		}
		List<PendingCharge> batch = this.gathering;
		this.gathering = new ArrayList<>(Math.min(this.maxSize, 64));
		this.writing += batch.size();
		return batch;
	}

	private void write(List<PendingCharge> batch) {
		this.monitor.observe("quota.settle", Mono.defer(() -> this.ledger.settleAll(batch)))
			.hasElement()
			.onErrorReturn(false)
			.subscribe((written) -> written(batch, written));
	}

	private void written(List<PendingCharge> batch, boolean written) {
		// Handed over before it stops counting here, so that a shutdown's flush that
		// waits for the batches finds it in the journal.
		if (!written) {
			this.failed.accept(batch);
		}
		synchronized (this) {
			this.writing -= batch.size();
			notifyAll();
		}
	}

}
