package io.aoaigateway.state;

import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * How every Redis call of the gateway runs: time-boxed, never blocking an event loop,
 * never continuing on Lettuce's I/O thread. One per store, since it remembers whether its
 * connection is up.
 */
public final class RedisCalls {

	private final Duration timeout;

	private volatile boolean connected;

	/**
	 * @param timeout the longest one call may take before its {@link Mono} fails
	 */
	public RedisCalls(Duration timeout) {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout);
		}
		this.timeout = timeout;
	}

	/**
	 * Runs one call.
	 * @param <T> what the call answers
	 * @param call the call, not yet subscribed
	 * @return the call, time-boxed
	 */
	public <T> Mono<T> run(Mono<T> call) {
		// Spring Data opens its shared connection on first use by blocking the
		// subscribing
		// thread (for up to the client's command timeout when Redis is unreachable).
		// Until
		// a call has succeeded, and again after any failure, calls run off the caller's
		// thread, so that an event loop never blocks and timeout() fires on time; once
		// connected, Lettuce answers without blocking and the thread hop is saved.
		Mono<T> scheduled = this.connected ? call : call.subscribeOn(Schedulers.boundedElastic());
		// publishOn(): Lettuce answers on the one I/O thread of its shared connection;
		// the
		// caller's work (the rest of a gateway call) must not queue up behind it there.
		return scheduled.timeout(this.timeout)
			.doOnSuccess((reply) -> this.connected = true)
			.doOnError((ex) -> this.connected = false)
			.publishOn(Schedulers.parallel());
	}

}
