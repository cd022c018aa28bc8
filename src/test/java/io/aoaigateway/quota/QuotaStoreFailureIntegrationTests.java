package io.aoaigateway.quota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis down: calls are neither hung nor crashed; the configured policy decides
 * (fail-open admits against the replica's local view of the quota, fail-closed refuses),
 * and the outage shows in the metrics.
 */
class QuotaStoreFailureIntegrationTests {

	@Test
	void storeDownWhenFailOpenThenCallsAreAdmittedAgainstTheLocalViewAndTheirChargesWait() {
		try (GatewayInstance gateway = gatewayWithDeadRedis("fail-open")) {
			ResponseEntity<String> answer = chat(gateway, 50);

			assertThat(answer.getStatusCode().value()).isEqualTo(200);
			assertThat(answer.getHeaders().getFirst("x-ratelimit-limit-tokens")).isEqualTo("1000");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(gateway.scrape()).contains("aoai_gateway_state_degraded 1.0")
					.containsPattern("aoai_gateway_state_errors_total\\{operation=\"quota.reserve\"} [1-9]")
					.contains("aoai_gateway_quota_admissions_total{outcome=\"admitted_local\"} 1.0")
					.contains("aoai_gateway_quota_journal_size 1.0"));
		}
	}

	@Test
	void storeDownWhenFailClosedThenCallsAreRefusedWith503() {
		try (GatewayInstance gateway = gatewayWithDeadRedis("fail-closed")) {
			ResponseEntity<String> answer = chat(gateway);

			assertThat(answer.getStatusCode().value()).isEqualTo(503);
			assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("1");
			assertThat(answer.getBody()).contains("\"error\"").contains("token quota");
			assertThat(GatewayFixtures.SIM_A.received()).isEmpty();
		}
	}

	private static GatewayInstance gatewayWithDeadRedis(String policy) {
		GatewayFixtures.reset();
		return GatewayInstance.start(Map.of("aoai.state.store", "redis", "aoai.state.failure-policy", policy,
				"aoai.state.timeout", "300ms", "aoai.quota.journal.flush-timeout", "1s", "spring.data.redis.url",
				"redis://127.0.0.1:" + closedPort(), "aoai.quota.policies[0].name", "user-default",
				"aoai.quota.policies[0].scope", "user", "aoai.quota.policies[0].tokens-per-minute", 1000));
	}

	private static ResponseEntity<String> chat(GatewayInstance gateway) {
		return chat(gateway, 0);
	}

	private static ResponseEntity<String> chat(GatewayInstance gateway, int maxTokens) {
		String limit = (maxTokens > 0) ? ",\"max_tokens\":" + maxTokens : "";
		return gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]" + limit + "}")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
