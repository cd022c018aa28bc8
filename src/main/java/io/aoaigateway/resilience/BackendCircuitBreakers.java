package io.aoaigateway.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One Resilience4j circuit breaker per backend, shown in the metrics
 * ({@code resilience4j_circuitbreaker_state}, ...). Per replica: a backend that fails for
 * one replica's calls is judged by that replica.
 */
final class BackendCircuitBreakers {

	private final CircuitBreakerRegistry registry;

	BackendCircuitBreakers(FailoverProperties.CircuitBreaker settings, MeterRegistry meters) {
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(settings.slidingWindowSize())
			.minimumNumberOfCalls(settings.minimumCalls())
			.failureRateThreshold(settings.failureRateThreshold())
			.slowCallDurationThreshold(settings.slowCallThreshold())
			.slowCallRateThreshold(settings.failureRateThreshold())
			.waitDurationInOpenState(settings.openFor())
			.permittedNumberOfCallsInHalfOpenState(settings.probes())
			// Probes that never report back must not hold the circuit half open forever.
			.maxWaitDurationInHalfOpenState(settings.openFor())
			// Open stays open until a call asks after the wait; no timer thread needed.
			.automaticTransitionFromOpenToHalfOpenEnabled(false)
			.build();
		this.registry = CircuitBreakerRegistry.of(config);
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(this.registry).bindTo(meters);
	}

	CircuitBreaker of(String backend) {
		return this.registry.circuitBreaker(backend);
	}

}
