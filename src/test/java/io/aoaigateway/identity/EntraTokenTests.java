package io.aoaigateway.identity;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import io.aoaigateway.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a backend credential's token is asked for, kept and given up, with the time driven
 * by a clock and azure-identity's side played by a scripted {@link TokenCredential}.
 */
class EntraTokenTests {

	private static final Instant START = Instant.parse("2026-11-30T12:00:00Z");

	private static final IdentityProperties.Refresh REFRESH = new IdentityProperties.Refresh(Duration.ofMinutes(5),
			Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(10),
			Duration.ofSeconds(30));

	private final FakeClock clock = new FakeClock(START);

	private final ScriptedCredential azure = new ScriptedCredential();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final EntraToken token = new EntraToken("aks", () -> this.azure,
			"https://cognitiveservices.azure.com/.default", REFRESH, this.clock, this.registry);

	@Test
	void renewIfDueWhenNoTokenYetThenTheFirstIsObtainedAndSentAsBearer() {
		this.azure.answer("t1", Duration.ofHours(1));
		assertThat(this.token.usable()).isFalse();

		this.token.renewIfDue();

		assertThat(this.token.usable()).isTrue();
		assertThat(bearer(this.token)).isEqualTo("Bearer t1");
		assertThat(this.azure.requests.get()).isEqualTo(1);
		assertThat(this.azure.scopes).containsExactly("https://cognitiveservices.azure.com/.default");
		assertThat(this.registry.get(EntraToken.EXPIRY).gauge().value()).isEqualTo(3600.0);
	}

	@ParameterizedTest(name = "a token valid for {0} is renewed after {1}")
	@CsvSource({ "PT1H, PT30M", "PT8M, PT3M", "PT4M, PT2M" })
	void renewIfDueThenRenewedHalfwayThroughItsLifeAtTheLatestFiveMinutesAheadAndNotBefore(Duration lifetime,
			Duration renewedAfter) {
		this.azure.answer("t1", lifetime);
		this.token.renewIfDue();
		this.azure.answer("t2", Duration.ofHours(1));

		this.clock.advance(renewedAfter.minusSeconds(1));
		this.token.renewIfDue();
		assertThat(this.azure.requests.get()).isEqualTo(1);
		assertThat(bearer(this.token)).isEqualTo("Bearer t1");

		this.clock.advance(Duration.ofSeconds(1));
		this.token.renewIfDue();
		assertThat(this.azure.requests.get()).isEqualTo(2);
		assertThat(bearer(this.token)).isEqualTo("Bearer t2");
	}

	@Test
	void renewIfDueWhenSameCachedTokenComesBackThenNoRenewalAtEveryCheck() {
		this.azure.answer("t1", Duration.ofMinutes(1));
		this.token.renewIfDue();
		// Handed back unchanged, as a cache would: 30 s left, already past its renewal.
		for (int i = 0; i < 10; i++) {
			this.azure.answer("t1", Duration.ofMinutes(1).minusSeconds(30 + i));
		}
		this.clock.advance(Duration.ofSeconds(30));

		for (int second = 0; second < 10; second++) {
			this.token.renewIfDue();
			this.clock.advance(Duration.ofSeconds(1));
		}

		// At most one request per retry-min (2 s).
		assertThat(this.azure.requests.get()).isBetween(2, 7);
	}

	@Test
	void renewalFailuresKeepTheCurrentTokenUntilItExpiresThenTheBackendsLeaveRotation() {
		this.azure.answer("t1", Duration.ofMinutes(10));
		this.token.renewIfDue();
		this.azure.failAlways();

		this.clock.advance(Duration.ofMinutes(5));
		for (int second = 0; second < 5 * 60 - 1; second++) {
			this.token.renewIfDue();
			assertThat(this.token.usable()).isTrue();
			assertThat(bearer(this.token)).isEqualTo("Bearer t1");
			this.clock.advance(Duration.ofSeconds(1));
		}
		this.clock.advance(Duration.ofSeconds(1));
		this.token.renewIfDue();

		assertThat(this.token.usable()).isFalse();
		assertThat(this.registry.get(EntraToken.EXPIRY).gauge().value()).isZero();
		assertThat(this.registry.get(EntraToken.RENEWALS).tag("outcome", "failed").counter().count())
			.isEqualTo(this.azure.requests.get() - 1);
	}

	@Test
	void renewalFailuresAreRetriedWithADoublingWaitUpToTheMaximum() {
		this.azure.failAlways();

		for (int second = 0; second < 10 * 60; second++) {
			this.token.renewIfDue();
			this.clock.advance(Duration.ofSeconds(1));
		}

		// At 0, 2, 6, 14, 30 and 62 s, then once a minute (122 ... 542 s): 14 in ten
		// minutes.
		assertThat(this.azure.requests.get()).isEqualTo(14);
		assertThat(this.token.usable()).isFalse();
	}

	@Test
	void renewalAfterAFailureWhenTheEndpointIsBackThenTheTokenIsUsableAgain() {
		this.azure.failAlways();
		this.token.renewIfDue();
		assertThat(this.token.usable()).isFalse();

		this.azure.recover();
		this.azure.answer("t1", Duration.ofHours(1));
		this.clock.advance(Duration.ofSeconds(2));
		this.token.renewIfDue();

		assertThat(this.token.usable()).isTrue();
	}

	@Test
	void renewWhileARenewalIsInFlightThenNoSecondRequest() {
		Sinks.One<AccessToken> pending = Sinks.one();
		this.azure.answers.add(pending.asMono());

		Mono<Boolean> first = this.token.renew(false);
		Mono<Boolean> second = this.token.renew(false);
		this.token.renewIfDue();
		Mono<Boolean> third = this.token.renewAfterRejection(new HttpHeaders());
		pending.tryEmitValue(new AccessToken("t1", START.plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC)));

		assertThat(first.block(Duration.ofSeconds(5))).isTrue();
		assertThat(second.block(Duration.ofSeconds(5))).isTrue();
		assertThat(third.block(Duration.ofSeconds(5))).isTrue();
		assertThat(this.azure.requests.get()).isEqualTo(1);
	}

	@Test
	void renewAfterRejectionWhenTheRefusedTokenIsCurrentThenRenewedOnceAndSentAgain() {
		this.azure.answer("t1", Duration.ofHours(1));
		this.token.renewIfDue();
		this.azure.answer("t2", Duration.ofHours(1));

		Boolean renewed = this.token.renewAfterRejection(sent("t1")).block(Duration.ofSeconds(5));

		assertThat(renewed).isTrue();
		assertThat(bearer(this.token)).isEqualTo("Bearer t2");
		// Other calls refused with t1 find t2 there: no more requests.
		assertThat(this.token.renewAfterRejection(sent("t1")).block(Duration.ofSeconds(5))).isTrue();
		assertThat(this.azure.requests.get()).isEqualTo(2);
		assertThat(this.registry.get(EntraToken.REJECTIONS).counter().count()).isEqualTo(2);
	}

	@Test
	void renewAfterRejectionWhenTheRenewedTokenIsRefusedTooThenOutOfRotationUntilAfterRejectionEnds() {
		this.azure.answer("t1", Duration.ofHours(1));
		this.token.renewIfDue();
		this.azure.answer("t2", Duration.ofHours(1));
		this.token.renewAfterRejection(sent("t1")).block(Duration.ofSeconds(5));

		Boolean renewed = this.token.renewAfterRejection(sent("t2")).block(Duration.ofSeconds(5));

		assertThat(renewed).isFalse();
		assertThat(this.token.usable()).isFalse();
		assertThat(this.token.renewAfterRejection(sent("t2")).block(Duration.ofSeconds(5))).isFalse();
		this.clock.advance(Duration.ofSeconds(29));
		this.token.renewIfDue();
		assertThat(this.azure.requests.get()).isEqualTo(2);
		assertThat(this.token.usable()).isFalse();

		this.azure.answer("t3", Duration.ofHours(1));
		this.clock.advance(Duration.ofSeconds(1));
		this.token.renewIfDue();
		assertThat(this.azure.requests.get()).isEqualTo(3);
		assertThat(this.token.usable()).isTrue();
		// Still refused: straight out of rotation again, no renewal in between.
		assertThat(this.token.renewAfterRejection(sent("t3")).block(Duration.ofSeconds(5))).isFalse();
		assertThat(this.azure.requests.get()).isEqualTo(3);
	}

	@Test
	void detailsAndToStringNeverShowTheToken() {
		this.azure.answer("secret-token-value", Duration.ofHours(1));
		this.token.renewIfDue();

		assertThat(this.token.details()).containsEntry("state", "valid")
			.containsEntry("expiresAt", "2026-11-30T13:00:00Z")
			.containsEntry("failedRenewals", 0);
		assertThat(this.token.details().toString()).doesNotContain("secret-token-value");
		assertThat(this.token.toString()).doesNotContain("secret-token-value");
	}

	private static HttpHeaders sent(String token) {
		HttpHeaders headers = new HttpHeaders();
		headers.setBearerAuth(token);
		return headers;
	}

	private static String bearer(BackendCredential credential) {
		HttpHeaders headers = new HttpHeaders();
		credential.writeTo(headers);
		return headers.getFirst(HttpHeaders.AUTHORIZATION);
	}

	/** Tokens handed out in order, valid for a given time from the clock's now. */
	private final class ScriptedCredential implements TokenCredential {

		final Deque<Mono<AccessToken>> answers = new ArrayDeque<>();

		final AtomicInteger requests = new AtomicInteger();

		final Deque<String> scopes = new ArrayDeque<>();

		private boolean failing;

		@Override
		public Mono<AccessToken> getToken(TokenRequestContext request) {
			this.requests.incrementAndGet();
			this.scopes.addAll(request.getScopes());
			if (this.failing) {
				return Mono.error(new IllegalStateException(
						"AADSTS700024: Client assertion is not within its valid " + "time range. Trace ID: 1b2c"));
			}
			Mono<AccessToken> answer = this.answers.poll();
			return (answer != null) ? answer : Mono.error(new IllegalStateException("No answer scripted"));
		}

		void answer(String token, Duration validFor) {
			this.answers.add(Mono.fromSupplier(() -> new AccessToken(token,
					EntraTokenTests.this.clock.instant().plus(validFor).atOffset(ZoneOffset.UTC))));
		}

		void failAlways() {
			this.failing = true;
		}

		void recover() {
			this.failing = false;
		}

	}

}
