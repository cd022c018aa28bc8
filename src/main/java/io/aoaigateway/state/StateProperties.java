package io.aoaigateway.state;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where state shared by replicas (quota counters, later cooldowns and affinity) lives.
 * The Redis connection itself is Spring Boot's: {@code spring.data.redis.url} and its
 * siblings (TLS, password).
 *
 * @param store {@code memory} for a single replica, {@code redis} for several
 * @param timeout longest wait for one store operation; past it the failure policy applies
 * @param failurePolicy what a call gets when the store fails or times out
 * @param keyPrefix prefix of every Redis key the gateway writes
 */
@Validated
@ConfigurationProperties("aoai.state")
public record StateProperties(@DefaultValue("memory") @NotNull Store store, @DefaultValue("250ms") Duration timeout,
		@DefaultValue("fail-open") @NotNull FailurePolicy failurePolicy,
		@DefaultValue("aoai:") @NotBlank String keyPrefix) {

	@AssertTrue(message = "aoai.state.timeout must be positive")
	public boolean isTimeoutPositive() {
		return !this.timeout.isNegative() && !this.timeout.isZero();
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

		/** The call goes ahead unmetered: availability first. */
		FAIL_OPEN,

		/** The call is refused with 503: quotas first. */
		FAIL_CLOSED

	}

}
