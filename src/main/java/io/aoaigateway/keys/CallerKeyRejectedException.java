package io.aoaigateway.keys;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.AuthenticationException;

/**
 * A call whose caller key was refused, and why; answered by
 * {@link CallerKeyAuthenticationFilter}. Its message never holds the key.
 */
final class CallerKeyRejectedException extends AuthenticationException {

	private static final long serialVersionUID = 1L;

	private final CallerKeyOutcome outcome;

	private final @Nullable Duration retryAfter;

	CallerKeyRejectedException(CallerKeyOutcome outcome) {
		this(outcome, null);
	}

	CallerKeyRejectedException(CallerKeyOutcome outcome, @Nullable Duration retryAfter) {
		super("Caller key refused: " + outcome.tag());
		this.outcome = outcome;
		this.retryAfter = retryAfter;
	}

	CallerKeyOutcome outcome() {
		return this.outcome;
	}

	@Nullable Duration retryAfter() {
		return this.retryAfter;
	}

}
