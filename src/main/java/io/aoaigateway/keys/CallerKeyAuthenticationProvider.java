package io.aoaigateway.keys;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;

/**
 * Decides on a presented caller key: refused at once when its source sent too many bad
 * keys lately, else checked against {@link CallerKeys}. Unknown, revoked, wrong and
 * malformed keys count against their source; an expired key does not (whoever sends it
 * holds the secret), and neither does a key refused because the key set is too old to
 * trust.
 */
final class CallerKeyAuthenticationProvider implements ReactiveAuthenticationManager {

	private final CallerKeys keys;

	private final FailedKeyAttempts failures;

	private final CallerKeyMetrics metrics;

	CallerKeyAuthenticationProvider(CallerKeys keys, FailedKeyAttempts failures, CallerKeyMetrics metrics) {
		this.keys = keys;
		this.failures = failures;
		this.metrics = metrics;
	}

	@Override
	public Mono<Authentication> authenticate(Authentication authentication) {
		if (!(authentication instanceof PresentedCallerKey presented)) {
			return Mono.empty();
		}
		return Mono.fromCallable(() -> decide(presented));
	}

	private Authentication decide(PresentedCallerKey presented) {
		Duration wait = this.failures.refusedFor(presented.source());
		if (!wait.isZero()) {
			throw new CallerKeyRejectedException(CallerKeyOutcome.THROTTLED, wait);
		}
		CallerKeyVerification verification = this.keys.verify(presented.key());
		CallerKey key = verification.key();
		if (verification.outcome() == CallerKeyOutcome.ACCEPTED && key != null) {
			this.metrics.outcome(CallerKeyOutcome.ACCEPTED);
			return new CallerKeyAuthentication(key);
		}
		switch (verification.outcome()) {
			case UNKNOWN, WRONG_SECRET, MALFORMED -> this.failures.failed(presented.source());
			default -> {
			}
		}
		throw new CallerKeyRejectedException(verification.outcome());
	}

}
