package io.aoaigateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits on the test's own thread for a condition that the system reaches by itself (a
 * settle written after the answer, a circuit closing), polling until a deadline: no fixed
 * sleep, and the probe may block.
 */
public final class Eventually {

	private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

	private Eventually() {
	}

	/**
	 * Reads a value until it satisfies a condition.
	 * @param <T> what is read
	 * @param probe reads the value; may block
	 * @param done whether the value is the awaited one
	 * @param within the longest wait
	 * @return the first value that satisfied the condition
	 * @throws AssertionError with the last value read when the deadline passes
	 */
	public static <T> T eventually(Supplier<T> probe, Predicate<T> done, Duration within) {
		long deadline = System.nanoTime() + within.toNanos();
		while (true) {
			T value = probe.get();
			if (done.test(value)) {
				return value;
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Not reached within " + within + "; last seen: " + value);
			}
			LockSupport.parkNanos(POLL_NANOS);
		}
	}

}
