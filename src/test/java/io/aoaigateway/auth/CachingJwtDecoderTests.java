package io.aoaigateway.auth;

import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.aoaigateway.FakeClock;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The validated-token cache in front of a real decoder (RS256 signature, lifetime with
 * clock skew, caller subject), counting how often that decoder is asked.
 */
class CachingJwtDecoderTests {

	private static final Duration SKEW = Duration.ofSeconds(60);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final RSAKey KEY = generateKey();

	private final FakeClock clock = new FakeClock(Instant.parse("2026-03-02T10:00:00Z"));

	private final AtomicInteger verified = new AtomicInteger();

	@Test
	void decodeWhenSameTokenAgainBeforeExpiryThenServedWithoutVerifyingAgain() {
		CachingJwtDecoder decoder = decoder(100);
		String token = mint("alice", Duration.ofHours(1));

		Jwt first = decode(decoder, token);
		this.clock.advance(Duration.ofMinutes(59));
		Jwt second = decode(decoder, token);
		Jwt third = decode(decoder, token);

		assertThat(this.verified).hasValue(1);
		assertThat(second).isSameAs(first);
		assertThat(third).isSameAs(first);
		assertThat(CallerIdentity.from(third).subject()).isEqualTo("alice");
	}

	@Test
	void decodeWhenRememberedTokenHasExpiredThenItIsNotServedAndIsRejected() {
		CachingJwtDecoder decoder = decoder(100);
		String token = mint("alice", Duration.ofMinutes(10));
		decode(decoder, token);

		this.clock.advance(Duration.ofMinutes(10).plus(SKEW).plusSeconds(1));

		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, token))
			.withMessageContaining("expired");
		assertThat(this.verified).hasValue(2);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void decodeWhenPastExpiryWithinClockSkewThenValidatedAfreshEachTimeAndNeverRemembered() {
		CachingJwtDecoder decoder = decoder(100);
		String token = mint("alice", Duration.ofMinutes(10));
		decode(decoder, token);

		this.clock.advance(Duration.ofMinutes(10).plus(SKEW.dividedBy(2)));
		decode(decoder, token);
		decode(decoder, token);

		assertThat(this.verified).hasValue(3);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void decodeWhenClockIsBackBeforeNotBeforeAndSkewThenRememberedTokenIsNotServed() {
		CachingJwtDecoder decoder = decoder(100);
		String token = mint("alice", Duration.ofHours(1));
		decode(decoder, token);

		this.clock.advance(SKEW.plusMinutes(1).negated());

		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, token))
			.withMessageContaining("before");
		assertThat(this.verified).hasValue(2);
	}

	@Test
	void decodeWhenTokensDifferThenEachIsVerifiedAndServedAsItself() {
		CachingJwtDecoder decoder = decoder(100);
		String alice = mint("alice", Duration.ofHours(1));
		String bob = mint("bob", Duration.ofHours(1));

		List<String> subjects = List.of(alice, bob, alice, bob)
			.stream()
			.map((token) -> decode(decoder, token).getSubject())
			.toList();

		assertThat(subjects).containsExactly("alice", "bob", "alice", "bob");
		assertThat(this.verified).hasValue(2);
		assertThat(decoder.size()).isEqualTo(2);
	}

	@Test
	void decodeWhenTokenHasTheHashOfARememberedTokenOrIsAPrefixOfItThenItIsVerifiedAndRejected() {
		CachingJwtDecoder decoder = decoder(100);
		String token = mint("alice", Duration.ofHours(1));
		decode(decoder, token);
		String collider = sameHashCode(token);
		String truncated = token.substring(0, token.length() - 1);

		assertThat(collider).isNotEqualTo(token).hasSameHashCodeAs(token);
		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, collider));
		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, truncated));
		assertThat(this.verified).hasValue(3);
		assertThat(decode(decoder, token).getSubject()).isEqualTo("alice");
		assertThat(this.verified).hasValue(3);
	}

	@Test
	void decodeWhenMoreTokensThanTheBoundThenAtMostTheBoundIsRemembered() {
		CachingJwtDecoder decoder = decoder(3);
		List<String> tokens = IntStream.range(0, 20).mapToObj((i) -> mint("user-" + i, Duration.ofHours(1))).toList();

		tokens.forEach((token) -> decode(decoder, token));

		assertThat(decoder.size()).isBetween(1L, 3L);
		assertThat(this.verified).hasValue(20);
		assertThat(decode(decoder, tokens.get(7)).getSubject()).isEqualTo("user-7");
	}

	@Test
	void decodeWhenValidationFailsThenTheFailureIsNotRemembered() {
		CachingJwtDecoder decoder = decoder(100);
		Instant notBefore = this.clock.instant().plus(SKEW).plusSeconds(30);
		String early = mint("alice", (claims) -> claims.notBeforeTime(Date.from(notBefore)));

		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, early));
		assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decode(decoder, early));
		this.clock.advance(Duration.ofMinutes(1));
		Jwt accepted = decode(decoder, early);

		assertThat(accepted.getSubject()).isEqualTo("alice");
		assertThat(this.verified).hasValue(3);
		assertThat(decoder.size()).isOne();
	}

	@Test
	void decodeWhenTokenHasNoExpiryThenItIsNeverRemembered() {
		CachingJwtDecoder decoder = decoder(100);
		String endless = mint("alice", (claims) -> claims.expirationTime(null));

		decode(decoder, endless);
		decode(decoder, endless);

		assertThat(this.verified).hasValue(2);
		assertThat(decoder.size()).isZero();
	}

	@Test
	void constructorWhenMaxEntriesNotPositiveThenThrowIllegalArgumentException() {
		assertThatIllegalArgumentException().isThrownBy(() -> decoder(0));
	}

	private CachingJwtDecoder decoder(int maxEntries) {
		JwtTimestampValidator lifetime = new JwtTimestampValidator(SKEW);
		lifetime.setClock(this.clock);
		NimbusReactiveJwtDecoder real = NimbusReactiveJwtDecoder.withPublicKey(publicKey())
			.signatureAlgorithm(SignatureAlgorithm.RS256)
			.build();
		real.setJwtValidator(new DelegatingOAuth2TokenValidator<>(lifetime, new CallerSubjectValidator()));
		ReactiveJwtDecoder counting = (token) -> {
			this.verified.incrementAndGet();
			return real.decode(token);
		};
		return new CachingJwtDecoder(counting, lifetime, this.clock, maxEntries);
	}

	private static Jwt decode(ReactiveJwtDecoder decoder, String token) {
		return decoder.decode(token).block(TIMEOUT);
	}

	private String mint(String subject, Duration lifetime) {
		Instant now = this.clock.instant();
		return mint(subject, (claims) -> claims.expirationTime(Date.from(now.plus(lifetime))));
	}

	private String mint(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
		Instant now = this.clock.instant();
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(now.plus(Duration.ofHours(1))));
		customizer.accept(claims);
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).build(),
				claims.build());
		try {
			jwt.sign(new RSASSASigner(KEY));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	// Another token with the same String.hashCode(): two adjacent characters of the
	// signature (c1, c2) become (c1 + 1, c2 - 31), which leaves 31 * c1 + c2 unchanged.
	private static String sameHashCode(String token) {
		String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		for (int i = token.lastIndexOf('.') + 1; i < token.length() - 1; i++) {
			char first = (char) (token.charAt(i) + 1);
			char second = (char) (token.charAt(i + 1) - 31);
			if (alphabet.indexOf(token.charAt(i)) >= 0 && alphabet.indexOf(first) >= 0
					&& alphabet.indexOf(second) >= 0) {
				return token.substring(0, i) + first + second + token.substring(i + 2);
			}
		}
		throw new IllegalStateException("No pair of signature characters to swap in " + token.length() + " chars");
	}

	private static RSAPublicKey publicKey() {
		try {
			return KEY.toRSAPublicKey();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RSAKey generateKey() {
		try {
			return new RSAKeyGenerator(2048).keyID("cache-tests").generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
