package io.aoaigateway.routing;

import org.jspecify.annotations.Nullable;

/**
 * The attempts of one call as the rest of the gateway sees them: the backend being tried
 * now, and the time spent waiting for backends. Which backends were tried is failover's
 * own business ({@code resilience.FailoverCall}). Written by failover (package
 * {@code resilience}) only; {@code ArchitectureTests} holds it to that.
 */
public final class Attempts {

	private volatile @Nullable BackendDeployment current;

	private volatile long backendNanos;

	/**
	 * Starts an attempt on a backend.
	 * @param backend the backend
	 */
	public void start(BackendDeployment backend) {
		this.current = backend;
	}

	/**
	 * Forgets the current attempt, whose answer was discarded.
	 */
	public void discard() {
		this.current = null;
	}

	/**
	 * Adds time spent waiting for a backend's response headers.
	 * @param nanos the time
	 */
	public void waited(long nanos) {
		this.backendNanos += nanos;
	}

	/**
	 * @return the backend of the current attempt, null before the first or after a
	 * discarded one
	 */
	public @Nullable BackendDeployment current() {
		return this.current;
	}

	/**
	 * @return nanoseconds spent waiting for backends' response headers, all attempts
	 */
	public long backendNanos() {
		return this.backendNanos;
	}

}
