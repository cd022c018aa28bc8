package io.aoaigateway.state;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateProperties.Circuit;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

/**
 * Decides whether the shared state store is failing, from a circuit over its latest
 * operations rather than from one slow call, and makes operations fail at once while it
 * is: an outage shows in one log line when it starts, one when it ends, and in metrics in
 * between, rather than in a line (and a timeout) per call.
 */
public final class StateStoreMonitor {

	private static final Log logger = LogFactory.getLog(StateStoreMonitor.class);

	private static final List<String> OPERATIONS = List.of("quota.reserve", "quota.settle", "quota.charge-run",
			"quota.read", "cooldown.read", "cooldown.write", "affinity.lookup", "affinity.remember",
			RedisConnector.PING);

	private final CircuitBreaker circuit;

	private final FailurePolicy policy;

	private final MeterRegistry registry;

	private volatile String lastFailure = "no failure recorded";

	/**
	 * Creates a monitor with the default circuit.
	 * @param registry where the state-store meters go
	 * @param policy what calls get while the store fails
	 */
	public StateStoreMonitor(MeterRegistry registry, FailurePolicy policy) {
		this(registry, policy, Circuit.DEFAULTS, Clock.systemUTC());
	}

	/**
	 * Creates a monitor.
	 * @param registry where the state-store meters go
	 * @param policy what calls get while the store fails
	 * @param settings when the store counts as failing
	 * @param clock times operations and the open state
	 */
	public StateStoreMonitor(MeterRegistry registry, FailurePolicy policy, Circuit settings, Clock clock) {
		this.registry = registry;
		this.policy = policy;
		this.circuit = CircuitBreaker.of("state-store", circuitConfig(settings, clock));
		this.circuit.getEventPublisher().onStateTransition(this::transitioned);
		Gauge.builder(GatewayMeters.STATE_DEGRADED, this, (monitor) -> monitor.degraded() ? 1 : 0)
			.description("1 while the shared state store fails and the failure policy applies")
			.register(registry);
		// Present at 0 from the start, so that rates and alerts see the series.
		for (String operation : OPERATIONS) {
			errors(operation);
			shortCircuited(operation);
		}
	}

	static CircuitBreakerConfig circuitConfig(Circuit settings, Clock clock) {
		return CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(settings.slidingWindowSize())
			.minimumNumberOfCalls(settings.minimumCalls())
			.failureRateThreshold(settings.failureRateThreshold())
			.slowCallDurationThreshold(settings.slowCallThreshold())
			.slowCallRateThreshold(settings.slowCallRateThreshold())
			.waitDurationInOpenState(settings.openFor())
			.permittedNumberOfCallsInHalfOpenState(settings.probes())
			// Open stays open until an operation (or the connector's PING) asks after
			// the wait: no timer thread.
			.automaticTransitionFromOpenToHalfOpenEnabled(false)
			.clock(clock)
			.currentTimestampFunction(Clock::millis, TimeUnit.MILLISECONDS)
			.build();
	}

	/**
	 * @return what calls get while the store fails
	 */
	public FailurePolicy policy() {
		return this.policy;
	}

	/**
	 * Watches one store operation. While the circuit is open the operation is not
	 * subscribed at all and the {@link Mono} fails at once with a
	 * {@link StateStoreUnavailableException}; otherwise its outcome and duration are
	 * recorded. Either way the caller still decides what a failure means for the call.
	 * @param <T> what the operation answers
	 * @param operation what is attempted, e.g. {@code quota.reserve}
	 * @param call the operation, not yet subscribed
	 * @return the operation, watched
	 */
	public <T> Mono<T> observe(String operation, Mono<T> call) {
		return Mono.defer(() -> {
			if (!this.circuit.tryAcquirePermission()) {
				shortCircuited(operation).increment();
				errors(operation).increment();
				return Mono.error(new StateStoreUnavailableException("The shared state store is failing ("
						+ this.lastFailure + "); " + operation + " was not attempted"));
			}
			long start = this.circuit.getCurrentTimestamp();
			// One outcome per operation, whatever order success, error and cancel come
			// in.
			AtomicBoolean recorded = new AtomicBoolean();
			return call.doOnSuccess((answer) -> {
				if (recorded.compareAndSet(false, true)) {
					this.circuit.onSuccess(elapsed(start), this.circuit.getTimestampUnit());
				}
			}).doOnError((error) -> {
				if (recorded.compareAndSet(false, true)) {
					failed(operation, error, elapsed(start));
				}
			}).doOnCancel(() -> {
				// A caller that lost interest says nothing about the store; a half-open
				// probe's permit must come back, or the circuit would never close.
				if (recorded.compareAndSet(false, true)) {
					this.circuit.releasePermission();
				}
			});
		});
	}

	/**
	 * Records a failed store operation that was not watched by
	 * {@link #observe(String, Mono)}.
	 * @param operation what was attempted, e.g. {@code quota.reserve}
	 * @param error why it failed
	 */
	public void failed(String operation, Throwable error) {
		failed(operation, error, 0);
	}

	/**
	 * Records a store operation that succeeded and was not watched by
	 * {@link #observe(String, Mono)}.
	 */
	public void succeeded() {
		this.circuit.onSuccess(0, this.circuit.getTimestampUnit());
	}

	/**
	 * @return whether the store is failing: its circuit is not closed
	 */
	public boolean degraded() {
		return this.circuit.getState() != State.CLOSED;
	}

	/**
	 * Marks the store as unreachable until {@link #available()}: Redis is not connected
	 * (e.g. at start-up), so operations fail at once without trying.
	 * @param reason why, for the log line
	 */
	void unavailable(String reason) {
		if (this.circuit.getState() != State.FORCED_OPEN) {
			this.lastFailure = reason;
			transition(this.circuit::transitionToForcedOpenState);
		}
	}

	/**
	 * Ends {@link #unavailable(String)}: Redis is connected, operations go through again.
	 */
	void available() {
		if (this.circuit.getState() == State.FORCED_OPEN) {
			transition(this.circuit::transitionToClosedState);
		}
	}

	/**
	 * @return the circuit's state, for health details
	 */
	State state() {
		return this.circuit.getState();
	}

	private void failed(String operation, Throwable error, long elapsed) {
		errors(operation).increment();
		this.lastFailure = operation + ": " + error;
		this.circuit.onError(elapsed, this.circuit.getTimestampUnit(), error);
	}

	private long elapsed(long start) {
		return Math.max(0, this.circuit.getCurrentTimestamp() - start);
	}

	// Another thread may have moved the circuit meanwhile; its state then stands.
	private static void transition(Runnable transition) {
		try {
			transition.run();
		}
		catch (IllegalStateTransitionException ex) {
			logger.debug("State-store circuit already moved: " + ex.getMessage());
		}
	}

	private void transitioned(CircuitBreakerOnStateTransitionEvent event) {
		State from = event.getStateTransition().getFromState();
		State to = event.getStateTransition().getToState();
		if (from == State.CLOSED && to != State.CLOSED) {
			logger.warn("The shared state store is failing (" + this.lastFailure + "); calls are now handled "
					+ this.policy.describe() + " until it answers again");
		}
		else if (to == State.CLOSED) {
			logger.info("The shared state store answers again; quotas are enforced");
		}
	}

	private Counter errors(String operation) {
		return Counter.builder(GatewayMeters.STATE_ERRORS)
			.description("Shared state store operations that failed, timed out or were refused by the open circuit")
			.tag("operation", operation)
			.register(this.registry);
	}

	private Counter shortCircuited(String operation) {
		return Counter.builder(GatewayMeters.STATE_SHORT_CIRCUITED)
			.description("Shared state store operations not attempted because the store's circuit was open")
			.tag("operation", operation)
			.register(this.registry);
	}

}
