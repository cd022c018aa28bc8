package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import io.aoaigateway.priority.PriorityClass;

import io.aoaigateway.routing.Attempts;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.Candidates;

/**
 * What failover knows of one call across its attempts, apart from the exchange.
 */
final class FailoverCall {

	private final Candidates candidates;

	private final Attempts attempts;

	private final Instant started;

	private final Duration timeout;

	private final boolean stateful;

	private final boolean replayable;

	private final PriorityClass priority;

	// The backends tried since the call last waited for capacity: a backend that
	// throttled is worth asking again once its cooldown is over.
	private final Set<String> tried = new HashSet<>(4);

	private int attemptsThisRound;

	private long queuedNanos;

	// Backends whose half-open circuit gave this attempt a probe permit.
	private final Set<String> permits = new HashSet<>(2);

	private boolean retriedWithRenewedCredential;

	/**
	 * @param candidates the backends that may serve it
	 * @param attempts its attempts, which failover writes
	 * @param started when it arrived
	 * @param timeout how long each attempt may wait for response headers
	 * @param stateful whether it works on stateful objects (a create may not be repeated)
	 * @param replayable whether its body can be sent again
	 * @param priority its priority class
	 */
	FailoverCall(Candidates candidates, Attempts attempts, Instant started, Duration timeout, boolean stateful,
			boolean replayable, PriorityClass priority) {
		this.candidates = candidates;
		this.attempts = attempts;
		this.started = started;
		this.timeout = timeout;
		this.stateful = stateful;
		this.replayable = replayable;
		this.priority = priority;
	}

	Candidates candidates() {
		return this.candidates;
	}

	/**
	 * @return the backends tried since the call last waited for capacity
	 */
	Set<String> tried() {
		return this.tried;
	}

	/**
	 * @return the attempts started since the call last waited for capacity
	 */
	int attempts() {
		return this.attemptsThisRound;
	}

	/**
	 * Starts an attempt on a backend.
	 * @param backend the backend
	 */
	void start(BackendDeployment backend) {
		this.attempts.start(backend);
		this.tried.add(backend.backend().name());
		this.attemptsThisRound++;
	}

	/**
	 * Notes a wait for capacity; the call then starts afresh: every backend may be tried
	 * again, with as many attempts as at first.
	 * @param nanos how long it waited
	 */
	void waitedForCapacity(long nanos) {
		this.queuedNanos += nanos;
		this.tried.clear();
		this.attemptsThisRound = 0;
	}

	/**
	 * @return how long the call waited for capacity, all waits together
	 */
	long queuedNanos() {
		return this.queuedNanos;
	}

	PriorityClass priority() {
		return this.priority;
	}

	Instant started() {
		return this.started;
	}

	Duration timeout() {
		return this.timeout;
	}

	boolean stateful() {
		return this.stateful;
	}

	boolean replayable() {
		return this.replayable;
	}

	/**
	 * Takes the call's one retry on a backend that refused the gateway's credential.
	 * @return whether it was still there
	 */
	boolean retryWithRenewedCredential() {
		boolean first = !this.retriedWithRenewedCredential;
		this.retriedWithRenewedCredential = true;
		return first;
	}

	Set<String> permits() {
		return this.permits;
	}

	void releaseUnusedPermits(BackendDeployment selected, BackendCircuitBreakers breakers) {
		for (String backend : this.permits) {
			if (!backend.equals(selected.backend().name())) {
				breakers.of(backend).releasePermission();
			}
		}
		this.permits.clear();
	}

}
