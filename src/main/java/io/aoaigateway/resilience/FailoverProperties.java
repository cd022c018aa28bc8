package io.aoaigateway.resilience;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Retries on another backend when one throttles or fails. The time to connect and the
 * time to a backend's response headers are Spring Cloud Gateway's own settings
 * ({@code spring.cloud.gateway.server.webflux.httpclient.connect-timeout} and
 * {@code response-timeout}).
 *
 * @param maxAttempts backends tried for one call at most, the first included
 * @param timeBudget no new attempt starts later than this after the call arrived
 * @param defaultCooldown how long a deployment that answered 429 without saying when to
 * come back is skipped
 * @param statefulMaxWait the longest a call on a stateful object (thread, run...) waits
 * for its only backend's back-off before retrying it; longer back-offs go to the caller
 * @param streamIdleTimeout the longest gap between two events of a stream before the
 * gateway gives up on it
 * @param ptuUtilizationThreshold above this {@code azure-openai-deployment-utilization}
 * (percent) a provisioned deployment is passed over while another backend can serve
 * @param circuitBreaker when a backend counts as failing
 */
@Validated
@ConfigurationProperties("aoai.failover")
public record FailoverProperties(@DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
		@DefaultValue("60s") Duration timeBudget, @DefaultValue("10s") Duration defaultCooldown,
		@DefaultValue("10s") Duration statefulMaxWait, @DefaultValue("120s") Duration streamIdleTimeout,
		@DefaultValue("90") @Min(1) @Max(100) int ptuUtilizationThreshold,
		@DefaultValue @Valid @NotNull CircuitBreaker circuitBreaker) {

	@AssertTrue(message = "aoai.failover durations must be positive")
	public boolean isDurationsPositive() {
		return positive(this.timeBudget) && positive(this.defaultCooldown) && !this.statefulMaxWait.isNegative()
				&& positive(this.streamIdleTimeout);
	}

	private static boolean positive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

	/**
	 * A circuit breaker per backend: after enough failed calls (5xx, refused connections,
	 * timeouts) it stops sending calls for a while, then lets a few probes through.
	 *
	 * @param failureRateThreshold percent of failed calls among the last
	 * {@code slidingWindowSize} that opens the circuit
	 * @param slidingWindowSize how many recent calls are judged
	 * @param minimumCalls calls needed before the rate is judged
	 * @param slowCallThreshold a call slower than this (to its response headers) counts
	 * as slow; a slow-call rate at the failure threshold opens the circuit too
	 * @param openFor how long an open circuit stays open before probes
	 * @param probes calls let through while half open
	 */
	public record CircuitBreaker(@DefaultValue("50") @Min(1) @Max(100) int failureRateThreshold,
			@DefaultValue("10") @Min(1) int slidingWindowSize, @DefaultValue("5") @Min(1) int minimumCalls,
			@DefaultValue("60s") Duration slowCallThreshold, @DefaultValue("30s") Duration openFor,
			@DefaultValue("2") @Min(1) int probes) {

	}

}
