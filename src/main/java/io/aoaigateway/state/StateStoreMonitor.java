package io.aoaigateway.state;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

/**
 * Keeps track of whether the shared state store answers, so that an outage shows in one
 * log line when it starts, one when it ends, and in metrics in between, rather than in a
 * line per call.
 */
public final class StateStoreMonitor {

	private static final Log logger = LogFactory.getLog(StateStoreMonitor.class);

	private static final List<String> OPERATIONS = List.of("quota.reserve", "quota.settle", "quota.charge-run",
			"quota.read", "cooldown.read", "cooldown.write", "affinity.lookup", "affinity.remember");

	private final AtomicBoolean degraded = new AtomicBoolean();

	private final FailurePolicy policy;

	private final MeterRegistry registry;

	public StateStoreMonitor(MeterRegistry registry, FailurePolicy policy) {
		this.registry = registry;
		this.policy = policy;
		Gauge.builder(GatewayMeters.STATE_DEGRADED, this.degraded, (flag) -> flag.get() ? 1 : 0)
			.description("1 while the shared state store fails and the failure policy applies")
			.register(registry);
		// Present at 0 from the start, so that rates and alerts see the series.
		for (String operation : OPERATIONS) {
			errors(operation);
		}
	}

	/**
	 * @return what calls get while the store fails
	 */
	public FailurePolicy policy() {
		return this.policy;
	}

	/**
	 * Watches one store operation: its success or failure is recorded; the caller still
	 * decides what a failure means for the call.
	 * @param <T> what the operation answers
	 * @param operation what is attempted, e.g. {@code quota.reserve}
	 * @param call the operation
	 * @return the operation, watched
	 */
	public <T> Mono<T> observe(String operation, Mono<T> call) {
		return call.doOnSuccess((answer) -> succeeded()).doOnError((error) -> failed(operation, error));
	}

	/**
	 * Records a failed store operation.
	 * @param operation what was attempted, e.g. {@code quota.reserve}
	 * @param error why it failed
	 */
	public void failed(String operation, Throwable error) {
		errors(operation).increment();
		if (this.degraded.compareAndSet(false, true)) {
			logger.warn("The shared state store is failing (" + operation + ": " + error + "); calls are now handled "
					+ describe(this.policy) + " until it answers again");
		}
	}

	/**
	 * Records a store operation that succeeded.
	 */
	public void succeeded() {
		if (this.degraded.compareAndSet(true, false)) {
			logger.info("The shared state store answers again; quotas are enforced");
		}
	}

	/**
	 * @return whether the store is failing
	 */
	public boolean degraded() {
		return this.degraded.get();
	}

	private Counter errors(String operation) {
		return Counter.builder(GatewayMeters.STATE_ERRORS)
			.description("Shared state store operations that failed or timed out")
			.tag("operation", operation)
			.register(this.registry);
	}

	private static String describe(FailurePolicy policy) {
		return (policy == FailurePolicy.FAIL_OPEN) ? "without quota (fail-open)" : "by refusing them (fail-closed)";
	}

}
