package io.aoaigateway.quota;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.FakeClock;
import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quotas through a running gateway (in-memory ledger): admission under concurrency, the
 * answers, and charging of streams cut short, injected usage options and Assistants runs.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class QuotaIntegrationTests {

	static final long PER_MINUTE = 600;

	static final long PER_DAY = 200;

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	// Quota windows must not roll over mid-test; tokens are minted on the same clock.
	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final AzureOpenAiSimulator PACED = AzureOpenAiSimulator.start(SimulatorSettings
		.defaults("sim-paced", GatewayFixtures.KEY_A,
				Set.of("gpt-4o", "text-embedding-3-small", "whisper", "tts", "dall-e-3"))
		.withStreamChunks(20)
		.withStreamPace(Duration.ofMillis(100)));

	// A backend that dies after two events of a stream.
	private static final DisposableServer BROKEN = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.handle((request, response) -> request.receive()
			.then()
			.then(response.header("content-type", "text/event-stream")
				.sendString(Flux
					.just("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there, how\"}}]}\n\n",
							"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" are you today?\"}}]}\n\n")
					.concatWith(Flux.error(new IllegalStateException("backend died"))))
				.then()))
		.bindNow();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void quotas(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.routing.backends[0].url", () -> PACED.baseUrl().toString());
		registry.add("aoai.auth.jwk-set-uri", () -> ISSUER.jwkSetUri().toString());
		registry.add("aoai.auth.issuers", ISSUER::issuer);
		GatewayFixtures.addBackend(registry, 2, "broken", () -> "http://127.0.0.1:" + BROKEN.port(), "broken-model");
		registry.add("aoai.quota.policies[0].name", () -> "user-default");
		registry.add("aoai.quota.policies[0].scope", () -> "user");
		registry.add("aoai.quota.policies[0].tokens-per-minute", () -> PER_MINUTE);
		registry.add("aoai.quota.policies[1].name", () -> "small-budget");
		registry.add("aoai.quota.policies[1].scope", () -> "user");
		registry.add("aoai.quota.policies[1].subject", () -> objectId("budget-user"));
		registry.add("aoai.quota.policies[1].tokens-per-day", () -> PER_DAY);
	}

	@AfterAll
	static void stopBackends() {
		PACED.close();
		BROKEN.disposeNow();
		ISSUER.close();
	}

	@Test
	void concurrentCallsWhenLimitIsSmallThenAdmittedUsageStaysWithinIt() {
		String token = token("crowd");
		AtomicInteger admitted = new AtomicInteger();
		AtomicInteger refused = new AtomicInteger();

		Flux.range(0, 50)
			.flatMap((i) -> client().post()
				.uri(CHAT)
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("""
						{"messages":[{"role":"user","content":"Count to three."}],"max_tokens":40}""")
				.exchangeToMono((response) -> {
					if (response.statusCode().value() == 200) {
						admitted.incrementAndGet();
					}
					else if (response.statusCode().value() == 429) {
						refused.incrementAndGet();
						assertThat(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotNull();
					}
					return response.releaseBody();
				}), 50)
			.blockLast(Duration.ofSeconds(60));

		JsonNode minute = settledWindow(token, "user-default", "minute");
		assertThat(admitted.get() + refused.get()).isEqualTo(50);
		assertThat(admitted.get()).isPositive();
		assertThat(refused.get()).isPositive();
		assertThat(minute.path("used").asLong()).isPositive().isLessThanOrEqualTo(PER_MINUTE);
	}

	@Test
	void callOverTheMinuteLimitGets429WithRetryAfterAndAzureBody() {
		String token = token("greedy");
		ResponseEntity<String> answer = post(token, CHAT, """
				{"messages":[{"role":"user","content":"Write an essay."}],"max_tokens":%d}""".formatted(PER_MINUTE));

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(answer.getHeaders().getFirst(QuotaAnswers.LIMIT_TOKENS)).isEqualTo(Long.toString(PER_MINUTE));
		assertThat(answer.getBody()).contains("\"code\":\"429\"").contains("user-default");
	}

	@Test
	void answersCarryTheCallersRemainingTokensNotTheBackends() {
		String token = token("headers");
		ResponseEntity<String> answer = post(token, CHAT, """
				{"messages":[{"role":"user","content":"Hello"}],"max_tokens":10}""");

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(answer.getHeaders().getFirst(QuotaAnswers.LIMIT_TOKENS)).isEqualTo(Long.toString(PER_MINUTE));
		long remaining = Long.parseLong(answer.getHeaders().getFirst(QuotaAnswers.REMAINING_TOKENS));
		assertThat(remaining).isLessThan(PER_MINUTE).isGreaterThan(PER_MINUTE - 100);
		assertThat(answer.getHeaders().headerNames())
			.noneMatch((name) -> name.equalsIgnoreCase("x-ratelimit-remaining-requests"));
	}

	@Test
	void dailyBudgetWhenSpentThenForbiddenWithTheResetTime() {
		String token = token("budget-user");
		int status;
		ResponseEntity<String> answer;
		int calls = 0;
		do {
			answer = post(token, "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21", """
					{"input":"tell me about quotas and budgets"}""");
			status = answer.getStatusCode().value();
			calls++;
		}
		while (status == 200 && calls < 100);

		assertThat(status).isEqualTo(403);
		assertThat(answer.getBody()).contains("QuotaExceeded")
			.contains("daily token budget of policy 'small-budget'")
			.contains(LocalDate.ofInstant(CLOCK.instant(), ZoneOffset.UTC).plusDays(1) + "T00:00:00Z");
		assertThat(settledWindow(token, "small-budget", "day").path("used").asLong()).isLessThanOrEqualTo(PER_DAY);
	}

	@Test
	void streamWithoutUsageOptionWhenInjectedThenClientGetsTheStreamItAskedFor() {
		String token = token("streamer");
		String body = """
				{"messages":[{"role":"user","content":"Hello"}],"stream":true,"max_tokens":30}""";
		String viaGateway = post(token, CHAT, body).getBody();
		String received = PACED.received().get(PACED.received().size() - 1).bodyAsString();
		String direct = TestClients.create(PACED.baseUrl().toString())
			.post()
			.uri(CHAT)
			.header("api-key", GatewayFixtures.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(30));

		assertThat(JSON.readTree(received).path("stream_options").path("include_usage").asBoolean()).isTrue();
		assertThat(viaGateway).doesNotContain("\"usage\"");
		assertThat(normalized(viaGateway)).isEqualTo(normalized(direct));
		JsonNode minute = settledWindow(token, "user-default", "minute");
		assertThat(minute.path("used").asLong()).isPositive();
	}

	@Test
	void requestWhenForwardedThenCarriesAPseudonymousUserInsteadOfTheCallersId() {
		String token = token("pseudonymous");
		post(token, CHAT, """
				{"messages":[{"role":"user","content":"Hi"}],"user":"alice@contoso.com","max_tokens":5}""");

		RecordedRequest received = PACED.received().get(PACED.received().size() - 1);
		String user = JSON.readTree(received.body()).path("user").stringValue();
		assertThat(user).startsWith("gw-").doesNotContain(objectId("pseudonymous")).doesNotContain("alice");
	}

	@Test
	void modelInferenceStreamWhenForwardedThenNothingIsAddedToTheBody() {
		String token = token("inference");
		String body = """
				{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":20}""";

		ResponseEntity<String> answer = post(token, "/models/chat/completions?api-version=2024-05-01-preview", body);

		assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(200);
		assertThat(PACED.received().get(PACED.received().size() - 1).bodyAsString()).isEqualTo(body);
	}

	@Test
	void streamWhenClientLeavesEarlyThenWhatWasGeneratedIsCharged() {
		String token = token("leaver");
		List<String> events = client().post()
			.uri(CHAT)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Tell me a long story."}],"stream":true,"max_tokens":400}""")
			.retrieve()
			.bodyToFlux(String.class)
			.take(3)
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(events).hasSize(3);
		long used = settledWindow(token, "user-default", "minute").path("used").asLong();
		assertThat(used).isPositive().isLessThan(400);
	}

	@Test
	void streamWhenBackendDiesThenWhatWasGeneratedIsCharged() {
		String token = token("unlucky");
		Mono<List<String>> stream = client().post()
			.uri("/openai/deployments/broken-model/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}],"stream":true,"max_tokens":300}""")
			.retrieve()
			.bodyToFlux(String.class)
			.collectList();

		stream.onErrorResume((ex) -> Mono.just(List.of())).block(Duration.ofSeconds(30));

		long used = settledWindow(token, "user-default", "minute").path("used").asLong();
		// Input estimate plus the two events' 31 characters of text, never the full 300.
		assertThat(used).isGreaterThan(TokenEstimate.outputOf(31)).isLessThan(300);
	}

	@Test
	void runWhenPolledTenTimesThenChargedOnce() {
		String token = token("assistant-user");
		String assistant = id(post(token, "/openai/assistants?api-version=2024-10-21", """
				{"model":"gpt-4o","instructions":"Be brief."}"""));
		String thread = id(post(token, "/openai/threads?api-version=2024-10-21", """
				{"messages":[{"role":"user","content":"What is a quota?"}]}"""));
		String run = id(post(token, "/openai/threads/" + thread + "/runs?api-version=2024-10-21", """
				{"assistant_id":"%s"}""".formatted(assistant)));

		JsonNode last = null;
		for (int i = 0; i < 10; i++) {
			last = JSON.readTree(client().get()
				.uri("/openai/threads/" + thread + "/runs/" + run + "?api-version=2024-10-21")
				.headers((headers) -> headers.setBearerAuth(token))
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10)));
		}

		assertThat(last.path("status").stringValue()).isEqualTo("completed");
		long runTokens = last.path("usage").path("prompt_tokens").asLong()
				+ last.path("usage").path("completion_tokens").asLong();
		assertThat(runTokens).isPositive();
		assertThat(settledWindow(token, "user-default", "minute").path("used").asLong()).isEqualTo(runTokens);
	}

	@Test
	void quotaEndpointShowsTheCallersWindows() {
		String token = token("curious");
		JsonNode status = JSON.readTree(client().get()
			.uri(QuotaStatusHandler.PATH)
			.headers((headers) -> headers.setBearerAuth(token))
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));

		assertThat(status.path("caller").stringValue()).isEqualTo(objectId("curious"));
		assertThat(status.path("windows")).hasSize(1);
		assertThat(status.path("windows").get(0).path("limit").asLong()).isEqualTo(PER_MINUTE);
		assertThat(status.path("windows").get(0).path("remaining").asLong()).isEqualTo(PER_MINUTE);
	}

	// Waits until the caller's calls have settled (nothing reserved), then returns the
	// window.
	private JsonNode settledWindow(String token, String policy, String period) {
		return Eventually.eventually(() -> window(token, policy, period),
				(window) -> window.path("reserved").asLong() == 0, Duration.ofSeconds(10));
	}

	private JsonNode window(String token, String policy, String period) {
		JsonNode status = JSON.readTree(client().get()
			.uri(QuotaStatusHandler.PATH)
			.headers((headers) -> headers.setBearerAuth(token))
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
		for (JsonNode window : status.path("windows")) {
			if (window.path("policy").stringValue().equals(policy)
					&& window.path("period").stringValue().equals(period)) {
				return window;
			}
		}
		throw new AssertionError("no " + period + " window of " + policy + " in " + status);
	}

	private ResponseEntity<String> post(String token, String path, String body) {
		return client().post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

	private WebClient client() {
		return TestClients.create("http://localhost:" + this.port);
	}

	private static String id(ResponseEntity<String> answer) {
		assertThat(answer.getStatusCode().is2xxSuccessful()).as(answer.getBody()).isTrue();
		return JSON.readTree(answer.getBody()).path("id").stringValue();
	}

	// Ids and timestamps differ from call to call; everything else must match byte for
	// byte.
	private static String normalized(String stream) {
		return stream.replaceAll("\"id\":\"[^\"]*\"", "\"id\":\"*\"")
			.replaceAll("\"created\":\\d+", "\"created\":0")
			.replaceAll("\"system_fingerprint\":\"[^\"]*\"", "\"system_fingerprint\":\"*\"");
	}

	static String token(String user) {
		return ISSUER.mint(user);
	}

	static String objectId(String user) {
		return UUID.nameUUIDFromBytes(user.getBytes(StandardCharsets.UTF_8)).toString();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class StillClock {

		@Bean
		@Primary
		Clock stillClock() {
			return CLOCK;
		}

	}

}
