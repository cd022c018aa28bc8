package io.aoaigateway.state;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where state shared by replicas (quota counters, cooldowns, affinity) lives. The Redis
 * connection itself is Spring Boot's: {@code spring.data.redis.url} and its siblings
 * (TLS, password, {@code connect-timeout}).
 *
 * @param store {@code memory} for a single replica, {@code redis} for several
 * @param timeout longest wait for one store operation on the request path; past it the
 * failure policy applies. Fits a Redis a zone away (40-80 ms round trips) with room for
 * its tail; Lettuce's own command timeout is set to twice this
 * @param failurePolicy what a call gets when the store fails or times out
 * @param keyPrefix prefix of every Redis key the gateway writes
 * @param startupTimeout longest time readiness waits for Redis to be connected and warmed
 * up at start-up; past it the replica becomes ready and the failure policy applies until
 * Redis answers
 * @param circuit when the store counts as failing (degraded)
 */
@Validated
@ConfigurationProperties("aoai.state")
public record StateProperties(@DefaultValue("memory") @NotNull Store store, @DefaultValue("1s") Duration timeout,
		@DefaultValue("fail-open") @NotNull FailurePolicy failurePolicy,
		@DefaultValue("aoai:") @NotBlank String keyPrefix, @DefaultValue("30s") Duration startupTimeout,
		@DefaultValue @Valid @NotNull Circuit circuit) {

	@AssertTrue(message = "aoai.state.timeout and aoai.state.startup-timeout must be positive")
	public boolean isTimeoutPositive() {
		return positive(this.timeout) && positive(this.startupTimeout);
	}

	static boolean positive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

	/** Where the state lives. */
	public enum Store {

		/** In this process: exact for one replica, lost on restart. */
		MEMORY,

		/** In Redis, shared by every replica pointed at it. */
		REDIS

	}

	/** What a call gets while the store is failing. */
	public enum FailurePolicy {

		/**
		 * The call is admitted against the replica's local view of the quota, charged
		 * later: availability first.
		 */
		FAIL_OPEN,

		/** The call is refused with 503: quotas first. */
		FAIL_CLOSED;

		/**
		 * @return how calls are handled under this policy, for log lines
		 */
		public String describe() {
			return (this == FAIL_OPEN) ? "against this replica's local view of the quota (fail-open)"
					: "by refusing them (fail-closed)";
		}

	}

	/**
	 * A circuit over the last store operations: the store is degraded when enough of them
	 * failed (or were slow), not after one. While open, operations fail at once without
	 * reaching Redis; after {@code openFor} a few probes decide whether it closes.
	 *
	 * @param slidingWindowSize how many of the latest operations are judged
	 * @param minimumCalls operations needed in the window before it is judged
	 * @param failureRateThreshold percent of failed operations (errors, timeouts) in the
	 * window that opens the circuit
	 * @param slowCallThreshold an operation that succeeds but takes longer than this
	 * counts as slow
	 * @param slowCallRateThreshold percent of slow operations in the window that opens
	 * the circuit
	 * @param openFor how long an open circuit refuses operations before probing
	 * @param probes operations let through (and judged together) while half open
	 */
	public record Circuit(@DefaultValue("20") @Min(1) int slidingWindowSize,
			@DefaultValue("10") @Min(1) int minimumCalls,
			@DefaultValue("50") @Min(1) @Max(100) int failureRateThreshold,
			@DefaultValue("800ms") Duration slowCallThreshold,
			@DefaultValue("100") @Min(1) @Max(100) int slowCallRateThreshold, @DefaultValue("2s") Duration openFor,
			@DefaultValue("3") @Min(1) int probes) {

		/** The defaults, for code that builds a monitor without configuration. */
		public static final Circuit DEFAULTS = new Circuit(20, 10, 50, Duration.ofMillis(800), 100,
				Duration.ofSeconds(2), 3);

		@AssertTrue(message = "aoai.state.circuit durations must be positive")
		public boolean isDurationsPositive() {
			return positive(this.slowCallThreshold) && positive(this.openFor);
		}

	}

}
