package io.aoaigateway.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.aoaigateway.Eventually;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend that reports garbage usage: the call is charged its estimate, its reservation
 * is settled, and the token metrics do not take the garbage in.
 */
class UsageSanityIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final int MAX_TOKENS = 50;

	// Held still: a minute window that rolled over between a call and the read of its
	// window would show nothing used.
	private static final FakeClock CLOCK = new FakeClock(Instant.now());

	private static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayInstance.start(Map.of("aoai.quota.policies[0].name", "user-default",
				"aoai.quota.policies[0].scope", "user", "aoai.quota.policies[0].tokens-per-minute", 1_000_000), CLOCK);
	}

	@AfterAll
	static void stop() {
		if (gateway != null) {
			gateway.close();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "9223372036854775807", "18446744073709551615", "-20", "12.5", "\"12\"", "1000000001" })
	void garbageUsageIsChargedTheEstimateAndSettled(String count) {
		GatewayFixtures.reset();
		String user = "garbage-" + Integer.toHexString(count.hashCode());
		String token = GatewayFixtures.ISSUER.mint(user);
		double tokensBefore = metric("gen_ai_client_token_usage_sum");
		GatewayFixtures.SIM_A.enqueue(ScriptedAnswer.json(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
				+ "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}],\"usage\":{"
				+ "\"prompt_tokens\":" + count + ",\"completion_tokens\":" + count + ",\"total_tokens\":" + count
				+ "}}"));

		String answer = gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":" + MAX_TOKENS + "}")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(30));

		assertThat(answer).contains("chatcmpl-1");
		JsonNode minute = settledMinute(token);
		// The estimate: the prompt's tokens, from its length, and max_tokens.
		assertThat(minute.path("used").asLong()).isGreaterThan(MAX_TOKENS).isLessThan(MAX_TOKENS + 200);
		assertThat(metric("gen_ai_client_token_usage_sum")).isEqualTo(tokensBefore);
	}

	// Waits until the caller's call has settled (nothing reserved).
	private static JsonNode settledMinute(String token) {
		return Eventually.eventually(() -> minute(token), (minute) -> minute.path("reserved").asLong() == 0,
				Duration.ofSeconds(10));
	}

	private static JsonNode minute(String token) {
		return JSON
			.readTree(gateway.client()
				.get()
				.uri("/gateway/quota")
				.headers((headers) -> headers.setBearerAuth(token))
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10)))
			.path("windows")
			.get(0);
	}

	private static double metric(String name) {
		String scrape = gateway.scrape();
		double sum = 0;
		for (String line : scrape.split("\n")) {
			if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return sum;
	}

}
