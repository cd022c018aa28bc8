package io.aoaigateway.observability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Traffic through the simulators, then the exact change of each metric in a scrape of
 * {@code /actuator/prometheus}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MetricsIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void limitedUser(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.quota.policies[0].name", () -> "tiny");
		registry.add("aoai.quota.policies[0].scope", () -> "user");
		registry.add("aoai.quota.policies[0].subject", () -> objectId("limited"));
		registry.add("aoai.quota.policies[0].tokens-per-minute", () -> 10);
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	@Test
	void successfulCallWhenAnsweredThenCountedWithItsTokens() {
		Scrape before = scrape();
		ResponseEntity<String> answer = post("alice", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
		JsonNode usage = JSON.readTree(answer.getBody()).path("usage");
		Scrape after = scrapeAfterOneCall(before);

		Map<String, String> request = Map.of("family", "deployments", "deployment", "gpt-4o", "backend", "sim-a",
				"status", "200");
		assertThat(after.delta(before, "aoai_gateway_requests_total", request)).isEqualTo(1);
		assertThat(after.delta(before, "gen_ai_client_token_usage_sum", Map.of("gen_ai_token_type", "input",
				"gen_ai_request_model", "gpt-4o", "aoai_backend", "sim-a", "aoai_app", "local-demo-app")))
			.isEqualTo(usage.path("prompt_tokens").asLong());
		assertThat(after.delta(before, "gen_ai_client_token_usage_sum",
				Map.of("gen_ai_token_type", "output", "gen_ai_request_model", "gpt-4o")))
			.isEqualTo(usage.path("completion_tokens").asLong());
		assertThat(after.delta(before, "aoai_gateway_overhead_seconds_count", Map.of("family", "deployments")))
			.isEqualTo(1);
		assertThat(after.delta(before, "gen_ai_client_operation_duration_seconds_count",
				Map.of("gen_ai_operation_name", "chat", "gen_ai_request_model", "gpt-4o")))
			.isEqualTo(1);
	}

	@Test
	void streamWhenFinishedThenTimedAndNoLongerActive() {
		Scrape before = scrape();
		post("alice", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
		Scrape after = scrapeAfterOneCall(before);

		assertThat(after.delta(before, "gen_ai_server_time_to_first_token_seconds_count",
				Map.of("gen_ai_request_model", "gpt-4o")))
			.isEqualTo(1);
		assertThat(after.delta(before, "gen_ai_server_time_per_output_token_seconds_count",
				Map.of("gen_ai_request_model", "gpt-4o")))
			.isEqualTo(1);
		assertThat(after.value("aoai_gateway_streams_active", Map.of())).isZero();
		assertThat(after.delta(before, "gen_ai_client_token_usage_sum",
				Map.of("gen_ai_token_type", "output", "gen_ai_request_model", "gpt-4o")))
			.isPositive();
	}

	@Test
	void quotaRefusalWhenOverTheLimitThenCountedByOutcome() {
		Scrape before = scrape();
		ResponseEntity<String> answer = post("limited", CHAT,
				"{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":100}");
		Scrape after = scrapeAfterOneCall(before);

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(after.delta(before, "aoai_gateway_quota_admissions_total", Map.of("outcome", "rejected_rate")))
			.isEqualTo(1);
		assertThat(after.delta(before, "aoai_gateway_requests_total",
				Map.of("family", "deployments", "backend", "none", "status", "429")))
			.isEqualTo(1);
	}

	@Test
	void throttledBackendWhenAnotherServesThenFailoverAndCooldownCounted() {
		Scrape before = scrape();
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		ResponseEntity<String> answer = post("alice", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
		Scrape after = scrapeAfterOneCall(before);

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(
				after.delta(before, "aoai_gateway_failovers_total", Map.of("reason", "throttled", "backend", "sim-a")))
			.isEqualTo(1);
		assertThat(after.delta(before, "aoai_gateway_backend_cooldowns_total", Map.of("backend", "sim-a")))
			.isEqualTo(1);
		assertThat(after.delta(before, "aoai_gateway_requests_total",
				Map.of("family", "deployments", "backend", "sim-b", "status", "200")))
			.isEqualTo(1);
	}

	@Test
	void everyMetricOfTheDashboardsAndAlertsWhenTrafficHasFlowedThenIsScraped() throws Exception {
		String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
		post("alice", CHAT, chat);
		post("alice", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}");
		post("limited", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":100}");
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		post("alice", CHAT, chat);
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		GatewayFixtures.SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		post("alice", CHAT, chat);
		String thread = JSON.readTree(post("alice", "/openai/threads?api-version=2024-10-01-preview", "{}").getBody())
			.path("id")
			.stringValue();
		Scrape before = scrape();
		client().get()
			.uri("/openai/threads/" + thread + "?api-version=2024-10-01-preview")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.retrieve()
			.toBodilessEntity()
			.block(Duration.ofSeconds(10));
		Scrape scrape = scrapeAfterOneCall(before);

		// Token meters exist only with keyless backends, key meters only with caller keys
		// on, priority meters only with classes: KeylessBackendsIntegrationTests,
		// CallerKeysIntegrationTests and PrometheusScrapeIntegrationTests scrape them.
		assertThat(ObservabilityAssetsTests.referencedMetricNames()).isNotEmpty()
			.filteredOn((name) -> !name.startsWith("aoai_gateway_backend_credential_")
					&& !name.startsWith("aoai_gateway_caller_key") && !name.startsWith("aoai_gateway_admission_")
					&& !name.startsWith("aoai_gateway_priority_"))
			.allSatisfy((name) -> assertThat(scrape.has(name)).as("%s in the scrape", name).isTrue());
	}

	@Test
	void traceContextWhenSentThenReachesTheBackendUnchanged() {
		String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
		client().post().uri(CHAT).headers((headers) -> {
			headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice"));
			headers.set("traceparent", traceparent);
		})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
			.retrieve()
			.toBodilessEntity()
			.block(Duration.ofSeconds(30));

		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_A.received().get(0).header("traceparent")).isEqualTo(traceparent);
	}

	private ResponseEntity<String> post(String user, String path, String body) {
		return client().post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

	private Scrape scrape() {
		return new Scrape(client().get()
			.uri("/actuator/prometheus")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
	}

	// Metrics are recorded when a call has ended, a moment after the client has its
	// answer: scrape until the call is counted.
	private Scrape scrapeAfterOneCall(Scrape before) {
		double expected = before.value("aoai_gateway_requests_total", Map.of()) + 1;
		return Eventually.eventually(this::scrape,
				(scrape) -> scrape.value("aoai_gateway_requests_total", Map.of()) >= expected, Duration.ofSeconds(10));
	}

	private WebClient client() {
		return TestClients.create("http://localhost:" + this.port);
	}

	static String objectId(String user) {
		return UUID.nameUUIDFromBytes(user.getBytes(StandardCharsets.UTF_8)).toString();
	}

}
