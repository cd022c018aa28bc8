package io.aoaigateway.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cooldown one replica learns is respected by the other at once. Subclasses say where
 * the shared Redis is.
 */
abstract class SharedCooldownContract {

	/**
	 * @return the Redis both replicas use
	 */
	abstract String redisUrl();

	@Test
	void cooldownWhenSetByOneReplicaThenTheOtherSkipsTheDeployment() {
		GatewayFixtures.reset();
		String prefix = "aoai-test:" + UUID.randomUUID() + ":";
		try (GatewayInstance first = replica(prefix); GatewayInstance second = replica(prefix)) {
			SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(30)));

			assertThat(chat(first)).isEqualTo(200);
			assertThat(chat(second)).isEqualTo(200);

			assertThat(SIM_A.received()).hasSize(1);
			assertThat(SIM_B.received()).hasSize(2);
		}
	}

	private GatewayInstance replica(String prefix) {
		return GatewayInstance.start(Map.of("aoai.state.store", "redis", "aoai.state.key-prefix", prefix,
				"spring.data.redis.url", redisUrl()));
	}

	private static int chat(GatewayInstance gateway) {
		return gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""")
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
			.block(Duration.ofSeconds(30));
	}

}
