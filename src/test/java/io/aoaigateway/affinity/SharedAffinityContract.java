package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread created through one replica is routed to its backend by the other, without
 * asking the other backends. Subclasses say where the shared Redis is.
 */
abstract class SharedAffinityContract {

	/**
	 * @return the Redis both replicas use
	 */
	abstract String redisUrl();

	@Test
	void threadWhenCreatedThroughOneReplicaThenTheOtherRoutesItToItsBackend() {
		GatewayFixtures.reset();
		String prefix = "aoai-test:" + UUID.randomUUID() + ":";
		try (GatewayInstance first = replica(prefix); GatewayInstance second = replica(prefix)) {
			ResponseEntity<String> created = call(first, "POST", "/openai/threads?api-version=2024-10-01-preview");
			assertThat(created.getStatusCode().value()).isEqualTo(200);
			String thread = JsonMapper.shared().readTree(created.getBody()).path("id").stringValue();
			AzureOpenAiSimulator owner = SIM_A.received().isEmpty() ? SIM_B : SIM_A;
			AzureOpenAiSimulator other = (owner == SIM_A) ? SIM_B : SIM_A;
			SIM_A.clearReceived();
			SIM_B.clearReceived();

			ResponseEntity<String> read = call(second, "GET",
					"/openai/threads/" + thread + "?api-version=2024-10-01-preview");

			assertThat(read.getStatusCode().value()).isEqualTo(200);
			assertThat(owner.received()).extracting(RecordedRequest::path).containsExactly("/openai/threads/" + thread);
			assertThat(other.received()).isEmpty();
		}
	}

	private GatewayInstance replica(String prefix) {
		return GatewayInstance.start(Map.of("aoai.state.store", "redis", "aoai.state.key-prefix", prefix,
				"spring.data.redis.url", redisUrl(), "aoai.affinity.backends", "sim-a,sim-b"));
	}

	private static ResponseEntity<String> call(GatewayInstance gateway, String method, String path) {
		return gateway.client()
			.method(HttpMethod.valueOf(method))
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("replicated")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

}
