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

/**
 * Redis down: calls are neither hung nor crashed; the configured policy decides, and the
 * outage shows in the metrics.
 */
class QuotaStoreFailureIntegrationTests {

	@Test
	void storeDownWhenFailOpenThenCallsGoThroughUnmetered() {
		try (GatewayInstance gateway = gatewayWithDeadRedis("fail-open")) {
			ResponseEntity<String> answer = chat(gateway);

			assertThat(answer.getStatusCode().value()).isEqualTo(200);
			assertThat(scrape(gateway)).contains("aoai_gateway_state_degraded 1.0")
				.containsPattern("aoai_gateway_state_errors_total\\{operation=\"quota.reserve\"} [1-9]");
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
				"aoai.state.timeout", "300ms", "spring.data.redis.url", "redis://127.0.0.1:" + closedPort(),
				"aoai.quota.policies[0].name", "user-default", "aoai.quota.policies[0].scope", "user",
				"aoai.quota.policies[0].tokens-per-minute", 1000));
	}

	private static ResponseEntity<String> chat(GatewayInstance gateway) {
		return gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}]}""")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
	}

	private static String scrape(GatewayInstance gateway) {
		return gateway.client()
			.get()
			.uri("/actuator/prometheus")
			.retrieve()
			.bodyToMono(String.class)
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
