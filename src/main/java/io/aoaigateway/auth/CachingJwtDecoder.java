package io.aoaigateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.util.Assert;

/**
 * Remembers the tokens that passed validation, so that a caller's next calls with the
 * same token skip the parse and the signature check; each call's token is still checked
 * against the lifetime rules ({@code exp}, {@code nbf}, clock skew) before it is served
 * from memory.
 * <p>
 * A token is looked up by its whole text (compared in full, never by a prefix or a hash
 * alone), remembered only after it was accepted, and only until its {@code exp}: a token
 * without {@code exp} is never remembered. The number of tokens remembered is bounded;
 * beyond it the least useful are forgotten.
 */
final class CachingJwtDecoder implements ReactiveJwtDecoder {

	private final ReactiveJwtDecoder delegate;

	private final OAuth2TokenValidator<Jwt> lifetime;

	private final Clock clock;

	private final Cache<String, Jwt> validated;

	/**
	 * @param delegate the decoder that parses and validates a token
	 * @param lifetime the delegate's own lifetime validator ({@code exp}, {@code nbf} and
	 * clock skew), applied again to a remembered token on every call
	 * @param clock the clock the lifetime validator reads
	 * @param maxEntries the most tokens remembered at once
	 */
	CachingJwtDecoder(ReactiveJwtDecoder delegate, OAuth2TokenValidator<Jwt> lifetime, Clock clock, int maxEntries) {
		Assert.notNull(delegate, "delegate must not be null");
		Assert.notNull(lifetime, "lifetime must not be null");
		Assert.notNull(clock, "clock must not be null");
		Assert.isTrue(maxEntries > 0, "maxEntries must be positive");
		this.delegate = delegate;
		this.lifetime = lifetime;
		this.clock = clock;
		this.validated = Caffeine.newBuilder()
			.maximumSize(maxEntries)
			// Expiry on the injected clock, so that an entry goes when the validator
			// would start counting its token as expired, whatever clock that is.
			.ticker(ticker(clock))
			.expireAfter(Expiry.creating((String token, Jwt jwt) -> untilExpiry(jwt)))
			// Eviction and expiry housekeeping is a few pointer moves: done by the
			// calling thread rather than handed to the common pool.
			.executor(Runnable::run)
			.build();
	}

	@Override
	public Mono<Jwt> decode(String token) {
		Jwt remembered = this.validated.getIfPresent(token);
		if (remembered != null) {
			if (stillValid(remembered)) {
				return Mono.just(remembered);
			}
			this.validated.invalidate(token);
		}
		// Only what the delegate accepted is remembered; a failure is never kept.
		return this.delegate.decode(token).doOnNext((jwt) -> remember(token, jwt));
	}

	/**
	 * @return how many tokens are remembered now
	 */
	long size() {
		this.validated.cleanUp();
		return this.validated.estimatedSize();
	}

	private boolean stillValid(Jwt jwt) {
		Instant expiresAt = jwt.getExpiresAt();
		return expiresAt != null && this.clock.instant().isBefore(expiresAt)
				&& !this.lifetime.validate(jwt).hasErrors();
	}

	private void remember(String token, Jwt jwt) {
		Instant expiresAt = jwt.getExpiresAt();
		if (expiresAt != null && this.clock.instant().isBefore(expiresAt)) {
			this.validated.put(token, jwt);
		}
	}

	private Duration untilExpiry(Jwt jwt) {
		Instant expiresAt = jwt.getExpiresAt();
		if (expiresAt == null) {
			return Duration.ZERO;
		}
		Duration left = Duration.between(this.clock.instant(), expiresAt);
		return left.isNegative() ? Duration.ZERO : left;
	}

	private static Ticker ticker(Clock clock) {
		return () -> {
			Instant now = clock.instant();
			return now.getEpochSecond() * 1_000_000_000L + now.getNano();
		};
	}

}
