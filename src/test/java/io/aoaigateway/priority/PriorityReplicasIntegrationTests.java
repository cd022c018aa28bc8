package io.aoaigateway.priority;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisFixtures;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas sharing the machine's Redis: a call waits for a cooldown another replica
 * learned, without knocking on the throttled backend first, and is served when it ends.
 */
class PriorityReplicasIntegrationTests {

	private static final AzureOpenAiSimulator SIM = AzureOpenAiSimulator
		.start(SimulatorSettings.defaults("sim-r", "key-of-sim-r", Set.of("shared-wait")));

	private static final String PREFIX = "aoai-test-priority-" + UUID.randomUUID() + ":";

	private static final String CHAT = "/openai/deployments/shared-wait/chat/completions?api-version=2024-10-21";

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

	private static GatewayInstance first;

	private static GatewayInstance second;

	@BeforeAll
	static void start() {
		first = replica();
		second = replica();
	}

	@AfterAll
	static void stop() {
		try {
			first.close();
			second.close();
		}
		finally {
			SIM.close();
			new RedisFixtures.Connections(RedisFixtures.LOCAL_URL).close(PREFIX);
		}
	}

	@Test
	void interactiveWhenAnotherReplicaSawTheBackendThrottleThenWaitsWithoutCallingItAndIsServed() {
		SIM.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1500)));
		ResponseEntity<String> refused = chat(first, GatewayFixtures.ISSUER.mint("bob"));
		assertThat(refused.getStatusCode().value()).isEqualTo(429);
		assertThat(SIM.received()).hasSize(1);

		ResponseEntity<String> served = chat(second, GatewayFixtures.ISSUER.mint("alice",
				(claims) -> claims.claim("roles", List.of("Gateway.Interactive"))));

		assertThat(served.getStatusCode().value()).isEqualTo(200);
		assertThat(Long.parseLong(served.getHeaders().getFirst("x-aoai-priority-wait-ms"))).isBetween(500L, 10_000L);
		// The 429 the first replica saw, then the second's call once the cooldown was
		// over:
		// the second replica never sent a call into the cooldown.
		assertThat(SIM.received()).hasSize(2);
	}

	private static ResponseEntity<String> chat(GatewayInstance replica, String token) {
		return replica.client()
			.post()
			.uri(CHAT)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(HELLO)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

	private static GatewayInstance replica() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.state.store", "redis");
		properties.put("aoai.state.key-prefix", PREFIX);
		properties.put("spring.data.redis.url", RedisFixtures.LOCAL_URL);
		properties.put("aoai.warm-up.enabled", false);
		properties.put("aoai.routing.backends[2].name", "sim-r");
		properties.put("aoai.routing.backends[2].url", SIM.baseUrl().toString());
		properties.put("aoai.routing.backends[2].api-key", "key-of-sim-r");
		properties.put("aoai.routing.backends[2].deployments", "shared-wait");
		properties.put("aoai.priority.classes[0].name", "interactive");
		properties.put("aoai.priority.classes[0].max-wait", "10s");
		properties.put("aoai.priority.classes[1].name", "batch");
		properties.put("aoai.priority.rules[0].class", "interactive");
		properties.put("aoai.priority.rules[0].roles", "Gateway.Interactive");
		return GatewayInstance.start(properties);
	}

}
