package io.aoaigateway.state;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * Connects to Redis at start-up, off the request path and outside the per-call budget:
 * opens the shared connection (TCP, TLS, AUTH, bounded by Lettuce's connect timeout),
 * sends a PING and lets every {@link StateStoreWarmUp} prepare its store. Until that is
 * done, store calls fail at once; readiness waits for it up to a bound. Failed attempts
 * are retried in the background. Once connected, Lettuce reconnects by itself; while the
 * store's circuit is open, this sends the probes (PINGs) that close it again, so that
 * recovery does not wait for traffic.
 */
public final class RedisConnector implements SmartLifecycle {

	/** The operation name of the PINGs, in metrics. */
	static final String PING = "state.ping";

	private static final Log logger = LogFactory.getLog(RedisConnector.class);

	private static final Duration FIRST_RETRY = Duration.ofMillis(250);

	private static final Duration PROBE_TICK = Duration.ofMillis(250);

	private static final Duration MAX_RETRY = Duration.ofSeconds(2);

	private final ReactiveRedisConnectionFactory factory;

	private final Supplier<List<StateStoreWarmUp>> warmUps;

	private final StateStoreMonitor monitor;

	private final RedisCalls calls;

	private final Duration startupTimeout;

	private final Duration probeEvery;

	private final Disposable.Composite running = Disposables.composite();

	private volatile boolean connected;

	private volatile boolean warm;

	private volatile boolean waitedEnough;

	private volatile @Nullable Duration warmUpTook;

	// When the circuit was first seen open (or last probed while open); 0 when not open.
	// Only the probe loop's thread touches it.
	private long openSince;

	/**
	 * Creates a connector; it starts with the application context.
	 * @param factory Spring's connection factory (the real one, not the gated one)
	 * @param warmUps the stores to warm up once connected
	 * @param monitor the store's circuit
	 * @param state the timeouts
	 */
	public RedisConnector(ReactiveRedisConnectionFactory factory, Supplier<List<StateStoreWarmUp>> warmUps,
			StateStoreMonitor monitor, StateProperties state) {
		this.factory = factory;
		this.warmUps = warmUps;
		this.monitor = monitor;
		this.calls = new RedisCalls(state.timeout());
		this.startupTimeout = state.startupTimeout();
		this.probeEvery = state.circuit().openFor();
	}

	/**
	 * @return whether the shared connection exists, so that calls may use it (Lettuce
	 * then fails them at once while it is reconnecting)
	 */
	public boolean connected() {
		return this.connected;
	}

	/**
	 * @return whether Redis was connected and every store warmed up
	 */
	public boolean warm() {
		return this.warm;
	}

	/**
	 * @return how long connecting and warming up took, once it has succeeded
	 */
	public @Nullable Duration warmUpTook() {
		return this.warmUpTook;
	}

	/**
	 * @return whether readiness stopped waiting: warmed up, or the start-up bound passed
	 */
	public boolean readyToServe() {
		return this.warm || this.waitedEnough;
	}

	@Override
	public void start() {
		this.running.add(Mono.delay(this.startupTimeout).subscribe((tick) -> startupBoundPassed()));
		this.running.add(
				attempt()
					.retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RETRY)
						.maxBackoff(MAX_RETRY)
						.doBeforeRetry((signal) -> attemptFailed(signal.failure())))
					.subscribe());
		this.running.add(Flux.interval(PROBE_TICK)
			.onBackpressureDrop()
			.filter((tick) -> this.warm && probeDue())
			.concatMap((tick) -> this.monitor.observe(PING, ping()).onErrorComplete(), 0)
			.subscribe());
	}

	@Override
	public void stop() {
		this.running.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.running.size() > 0 && !this.running.isDisposed();
	}

	/**
	 * A PING on the shared connection, time-boxed like any call.
	 * @return the PING
	 */
	Mono<String> ping() {
		return this.calls.run(Mono.usingWhen(Mono.fromSupplier(this.factory::getReactiveConnection),
				ReactiveRedisConnection::ping, ReactiveRedisConnection::closeLater));
	}

	// Half open: the circuit waits for probes, send them now. Open: one PING per open
	// period moves it to half open once the wait is over (an earlier one would only be
	// refused).
	private boolean probeDue() {
		State state = this.monitor.state();
		if (state == State.HALF_OPEN) {
			return true;
		}
		if (state != State.OPEN) {
			this.openSince = 0;
			return false;
		}
		long now = System.nanoTime();
		if (this.openSince == 0) {
			this.openSince = now;
		}
		if (now - this.openSince >= this.probeEvery.toNanos()) {
			this.openSince = now;
			return true;
		}
		return false;
	}

	private Mono<Void> attempt() {
		long start = System.nanoTime();
		// Spring opens its shared connection on first use by blocking the caller, so
		// this first use runs on a thread that may block, with no timeout() that would
		// interrupt it: Lettuce's connect timeout bounds TCP, TLS and the handshake.
		Mono<Void> open = Mono.fromRunnable(() -> this.factory.getReactiveConnection().closeLater().subscribe())
			.subscribeOn(Schedulers.boundedElastic())
			.then();
		return open.then(Mono.defer(this::ping))
			.then(Mono.fromRunnable(() -> this.connected = true))
			.then(Mono.defer(() -> Flux.fromIterable(this.warmUps.get()).flatMap(StateStoreWarmUp::warmUp).then()))
			.doOnSuccess((done) -> warmedUp(start));
	}

	private void warmedUp(long start) {
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		this.warmUpTook = took;
		this.warm = true;
		this.monitor.available();
		logger.info("Redis connected and warmed up, " + took.toMillis() + " ms after start-up");
	}

	// The monitor logs the one warning (the store is failing) on the first failure;
	// later attempts only show at debug level.
	private void attemptFailed(Throwable failure) {
		this.monitor.unavailable("redis connect: " + failure);
		if (logger.isDebugEnabled()) {
			logger.debug("Redis connection attempt failed: " + failure);
		}
	}

	private void startupBoundPassed() {
		if (!this.warm) {
			this.waitedEnough = true;
			logger.warn("Redis is still not connected " + this.startupTimeout.toSeconds()
					+ " s after start-up (aoai.state.startup-timeout); the replica reports ready anyway and handles calls "
					+ this.monitor.policy().describe() + " until Redis answers");
		}
	}

}
