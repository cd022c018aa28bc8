package io.aoaigateway.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway-wide allowance of request-body bytes held in memory at once. A call opens a
 * {@link Lease} before it buffers a body, grows it as bytes arrive and releases it once
 * when the call ends, so that stalled or oversized uploads cannot exhaust memory. Bodies
 * larger than a 128th of the budget may only fill three quarters of it: the last quarter
 * stays for ordinary chat-sized calls while large uploads are stalled.
 */
public final class BufferedBodyBudget {

	private final long capacity;

	private final AtomicLong used = new AtomicLong();

	/**
	 * @param capacity most bytes held at once
	 */
	public BufferedBodyBudget(long capacity) {
		this.capacity = capacity;
	}

	/**
	 * @return most bytes held at once
	 */
	public long capacity() {
		return this.capacity;
	}

	/**
	 * @return bytes held by every open lease
	 */
	public long used() {
		return this.used.get();
	}

	/**
	 * @return an empty lease for one call's body
	 */
	public Lease open() {
		return new Lease();
	}

	private long limitFor(long bodySize) {
		return (bodySize <= this.capacity / 128) ? this.capacity : this.capacity - this.capacity / 4;
	}

	private boolean take(long bytes, long bodySize) {
		long limit = limitFor(bodySize);
		while (true) {
			long now = this.used.get();
			if (bytes > limit - now) {
				return false;
			}
			if (this.used.compareAndSet(now, now + bytes)) {
				return true;
			}
		}
	}

	/**
	 * One call's share of the budget. Not thread-safe for growth (a body arrives in
	 * order); {@link #release()} may race with growth and wins: nothing is taken after
	 * it.
	 */
	public final class Lease {

		private final AtomicLong held = new AtomicLong();

		private volatile boolean released;

		private Lease() {
		}

		/**
		 * Makes sure the lease covers at least {@code total} bytes.
		 * @param total bytes of the body known so far (declared or received)
		 * @return whether the budget had room; when not, the lease keeps what it held
		 */
		public boolean cover(long total) {
			long more = total - this.held.get();
			if (more <= 0) {
				return true;
			}
			if (this.released || !take(more, total)) {
				return false;
			}
			this.held.addAndGet(more);
			if (this.released) {
				// release() ran between the check and the add: give these bytes back too.
				giveBack();
			}
			return true;
		}

		/**
		 * Whether a body of the given size would fit now, without taking anything: lets a
		 * call that declares its length be refused before it is read.
		 * @param total the body's declared length
		 * @return whether the budget has room for it at the moment
		 */
		public boolean wouldFit(long total) {
			long more = total - this.held.get();
			return more <= 0 || more <= limitFor(total) - BufferedBodyBudget.this.used.get();
		}

		/**
		 * @return bytes this lease holds
		 */
		public long held() {
			return this.held.get();
		}

		/**
		 * Gives every byte back; later calls do nothing.
		 */
		public void release() {
			this.released = true;
			giveBack();
		}

		private void giveBack() {
			long bytes = this.held.getAndSet(0);
			if (bytes > 0) {
				BufferedBodyBudget.this.used.addAndGet(-bytes);
			}
		}

	}

}
