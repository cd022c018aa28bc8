package io.aoaigateway.state;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of the shared state store (in the readiness group only: liveness never
 * depends on Redis). With Redis, out of service until it is connected and warmed up, or
 * until {@code aoai.state.startup-timeout} has passed; then up, with the circuit's state
 * in the details.
 */
final class StateStoreHealthIndicator implements HealthIndicator {

	private final @Nullable RedisConnector connector;

	private final StateStoreMonitor monitor;

	/**
	 * @param connector the Redis connector, {@code null} for the in-memory store
	 * @param monitor the store's circuit
	 */
	StateStoreHealthIndicator(@Nullable RedisConnector connector, StateStoreMonitor monitor) {
		this.connector = connector;
		this.monitor = monitor;
	}

	@Override
	public Health health() {
		if (this.connector == null) {
			return Health.up().withDetail("store", "memory").build();
		}
		Health.Builder health = this.connector.readyToServe() ? Health.up() : Health.outOfService();
		health.withDetail("store", "redis").withDetail("warm", this.connector.warm());
		Duration took = this.connector.warmUpTook();
		if (took != null) {
			health.withDetail("warmUpMillis", took.toMillis());
		}
		return health.withDetail("circuit", this.monitor.state().name()).build();
	}

}
