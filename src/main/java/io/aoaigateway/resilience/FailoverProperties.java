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
 * Retries on another backend when one throttles, fails or does not answer in time, and
 * the timeouts that bound each attempt. The time to open a connection is Spring Cloud
 * Gateway's {@code spring.cloud.gateway.server.webflux.httpclient.connect-timeout}; the
 * time to a backend's response headers is set here, per attempt.
 * <p>
 * How the values relate: a caller waits for response headers at most
 * {@code min(max-attempts × T, time-budget + T)}, where {@code T} is the attempt's
 * timeout ({@code attempt-timeout} or {@code generation-timeout}). When more than one
 * attempt is allowed, {@code time-budget} must be longer than both timeouts, so that an
 * attempt that timed out still leaves room for the next one.
 *
 * @param maxAttempts backends tried for one call at most, the first included
 * @param timeBudget no new attempt starts later than this after the call arrived
 * @param attemptTimeout the longest one attempt waits for the backend's response headers,
 * connection and request body included; applies to streamed answers (Azure sends the
 * headers before the first token) and to every call that generates nothing (stateful
 * objects, files, runs, lists)
 * @param generationTimeout the same, for a non-streamed inference call (chat,
 * completions, embeddings, images, audio, a Response created without streaming): Azure
 * sends those headers only with the finished answer, so this bounds the whole generation
 * @param defaultCooldown how long a deployment that answered 429 without saying when to
 * come back is skipped
 * @param maxCooldown the longest one 429 may bench a deployment, whatever its
 * {@code retry-after-ms}, {@code retry-after} or {@code x-ratelimit-reset-*} say
 * @param statefulMaxWait the longest a call on a stateful object (thread, run...) waits
 * for its only backend's back-off before retrying it; longer back-offs go to the caller
 * @param streamIdleTimeout the longest a streamed answer's backend may stay silent after
 * its response headers before the gateway ends the stream
 * @param bodyIdleTimeout the same for any other answer (JSON, audio...): Azure sends
 * those in one go once the headers are out, so a long silence means a stalled backend
 * @param ptuUtilizationThreshold above this {@code azure-openai-deployment-utilization}
 * (percent) a provisioned deployment is passed over while another backend can serve
 * @param circuitBreaker when a backend counts as failing
 */
@Validated
@ConfigurationProperties("aoai.failover")
public record FailoverProperties(@DefaultValue("3") @Min(1) @Max(10) int maxAttempts,
		@DefaultValue("150s") Duration timeBudget, @DefaultValue("30s") Duration attemptTimeout,
		@DefaultValue("120s") Duration generationTimeout, @DefaultValue("10s") Duration defaultCooldown,
		@DefaultValue("60s") Duration maxCooldown, @DefaultValue("10s") Duration statefulMaxWait,
		@DefaultValue("120s") Duration streamIdleTimeout, @DefaultValue("30s") Duration bodyIdleTimeout,
		@DefaultValue("90") @Min(1) @Max(100) int ptuUtilizationThreshold,
		@DefaultValue @Valid @NotNull CircuitBreaker circuitBreaker) {

	@AssertTrue(message = "aoai.failover durations must be positive")
	public boolean isDurationsPositive() {
		return positive(this.timeBudget) && positive(this.attemptTimeout) && positive(this.generationTimeout)
				&& positive(this.defaultCooldown) && positive(this.maxCooldown) && !this.statefulMaxWait.isNegative()
				&& positive(this.streamIdleTimeout) && positive(this.bodyIdleTimeout);
	}

	@AssertTrue(message = "aoai.failover.time-budget must be longer than attempt-timeout and generation-timeout "
			+ "when max-attempts is above 1, or an attempt that timed out could never fail over")
	public boolean isBudgetRoomyEnough() {
		return this.maxAttempts == 1 || (this.timeBudget.compareTo(this.attemptTimeout) > 0
				&& this.timeBudget.compareTo(this.generationTimeout) > 0);
	}

	@AssertTrue(message = "aoai.failover.default-cooldown must not be longer than max-cooldown")
	public boolean isDefaultCooldownCapped() {
		return this.defaultCooldown.compareTo(this.maxCooldown) <= 0;
	}

	/**
	 * The longest a caller can wait for response headers, all attempts together.
	 * @param timeout the attempt timeout that applies to the call
	 * @return {@code min(max-attempts × timeout, time-budget + timeout)}
	 */
	public Duration longestWait(Duration timeout) {
		Duration allAttempts = timeout.multipliedBy(this.maxAttempts);
		Duration lastStartsAtBudget = this.timeBudget.plus(timeout);
		return (allAttempts.compareTo(lastStartsAtBudget) <= 0) ? allAttempts : lastStartsAtBudget;
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
