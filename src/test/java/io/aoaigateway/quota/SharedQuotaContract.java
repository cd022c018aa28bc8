package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.local.LocalTokenIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas sharing one Redis enforce one quota between them: admitted usage
 * stays within the limit as if there were one gateway. Subclasses say where the Redis is.
 */
abstract class SharedQuotaContract {

	static final long PER_MINUTE = 600;

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	/**
	 * @return the Redis both replicas use, e.g. {@code redis://127.0.0.1:6379}
	 */
	abstract String redisUrl();

	@AfterAll
	static void stopIssuer() {
		ISSUER.close();
	}

	@Test
	void concurrentCallsWhenSpreadOverTwoReplicasThenAdmittedUsageStaysWithinOneLimit() {
		String prefix = "aoai-test:" + UUID.randomUUID() + ":";
		try (GatewayInstance first = replica(prefix); GatewayInstance second = replica(prefix)) {
			String token = ISSUER.mint("shared-" + UUID.randomUUID());
			AtomicInteger admitted = new AtomicInteger();
			AtomicInteger refused = new AtomicInteger();

			Flux.range(0, 50)
				.flatMap((i) -> (((i % 2) == 0) ? first : second).client()
					.post()
					.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
					.headers((headers) -> headers.setBearerAuth(token))
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("""
							{"messages":[{"role":"user","content":"Count to three."}],"max_tokens":40}""")
					.exchangeToMono((response) -> {
						(response.statusCode().value() == 200 ? admitted : refused).incrementAndGet();
						return response.releaseBody();
					}), 50)
				.blockLast(Duration.ofSeconds(60));

			JsonNode seenByFirst = QuotaFixtures.settledWindow(first, token);
			JsonNode seenBySecond = QuotaFixtures.settledWindow(second, token);
			assertThat(admitted.get()).isPositive();
			assertThat(refused.get()).isPositive();
			assertThat(seenByFirst.path("used").asLong()).isPositive().isLessThanOrEqualTo(PER_MINUTE);
			assertThat(seenBySecond.path("used").asLong()).isEqualTo(seenByFirst.path("used").asLong());
		}
	}

	private GatewayInstance replica(String prefix) {
		return GatewayInstance.start(Map.of("aoai.state.store", "redis", "aoai.state.key-prefix", prefix,
				"spring.data.redis.url", redisUrl(), "aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString(),
				"aoai.auth.issuers", ISSUER.issuer(), "aoai.quota.policies[0].name", "user-default",
				"aoai.quota.policies[0].scope", "user", "aoai.quota.policies[0].tokens-per-minute", PER_MINUTE), CLOCK);
	}

}
