package io.aoaigateway.routing;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The attempts of one call: the backends tried, the one being tried now, and the time
 * spent waiting for backends. Written by failover (package {@code resilience}) only;
 * {@code ArchitectureTests} holds it to that.
 */
public final class Attempts {

	private final Set<String> tried = new LinkedHashSet<>();

	private volatile @Nullable BackendDeployment current;

	private volatile long backendNanos;

	private volatile int count;

	/**
	 * Starts an attempt on a backend.
	 * @param backend the backend
	 */
	public void start(BackendDeployment backend) {
		this.current = backend;
		this.tried.add(backend.backend().name());
		this.count++;
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
	 * @return names of the backends tried so far, in order
	 */
	public Set<String> tried() {
		return Collections.unmodifiableSet(this.tried);
	}

	/**
	 * @return how many attempts were started
	 */
	public int count() {
		return this.count;
	}

	/**
	 * @return nanoseconds spent waiting for backends' response headers, all attempts
	 */
	public long backendNanos() {
		return this.backendNanos;
	}

}
