package io.aoaigateway.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.simulator.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.Eventually.eventually;
import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Caller keys end to end through a running gateway, keys from configuration (no Redis):
 * both headers, the backend never seeing a caller key, the refusals, quotas shared by an
 * app's two keys, object isolation between apps and from Entra callers, metrics and usage
 * records, the per-source limit on bad keys, and no key in any log line.
 */
// Whatever these log at debug level is in the net of noKeyInAnyLogLine too.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "logging.level.org.springframework.security=debug", "logging.level.io.aoaigateway=debug",
				"logging.level.org.springframework.cloud.gateway=debug",
				"logging.level.org.springframework.web=debug" })
class CallerKeysIntegrationTests {

	static final long APP_BUDGET = 300;

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":20}""";

	static final IssuedCallerKey ALPHA = CallerKeyFixtures.issue("alpha-app", "alpha-primary");

	static final IssuedCallerKey ALPHA_NEXT = CallerKeyFixtures.issue("alpha-app", "alpha-next");

	static final IssuedCallerKey BETA = CallerKeyFixtures.issue("beta-app", "beta");

	static final IssuedCallerKey EXPIRED = CallerKeyFixtures.issue("gamma-app", "gamma",
			Instant.now().minus(Duration.ofMinutes(1)), List.of());

	static final IssuedCallerKey LIMITED = CallerKeyFixtures.issue("limited-app", "limited-one");

	static final IssuedCallerKey LIMITED_NEXT = CallerKeyFixtures.issue("limited-app", "limited-two");

	static final List<IssuedCallerKey> ALL = List.of(ALPHA, ALPHA_NEXT, BETA, EXPIRED, LIMITED, LIMITED_NEXT);

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry registry;

	private CapturedLogs logs;

	private final Logger usageLogger = (Logger) LoggerFactory.getLogger("aoai.usage");

	@DynamicPropertySource
	static void keys(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.caller-keys.enabled", () -> "true");
		for (int i = 0; i < ALL.size(); i++) {
			CallerKeyFixtures.register(registry, i, ALL.get(i));
		}
		registry.add("aoai.quota.policies[0].name", () -> "limited-app-daily");
		registry.add("aoai.quota.policies[0].scope", () -> "app");
		registry.add("aoai.quota.policies[0].subject", () -> "limited-app");
		registry.add("aoai.quota.policies[0].tokens-per-day", () -> APP_BUDGET);
		registry.add("aoai.caller-keys.failures.burst", () -> "5");
	}

	@BeforeEach
	void captureLogs() {
		GatewayFixtures.reset();
		this.logs = CapturedLogs.attach();
		this.usageLogger.setLevel(Level.INFO);
	}

	@AfterEach
	void noKeyInAnyLogLine() {
		this.logs.detach();
		for (IssuedCallerKey key : ALL) {
			String secret = key.key().substring(16);
			assertThat(this.logs.lines()).noneMatch((line) -> line.contains(secret));
		}
	}

	@Test
	void keyInApiKeyHeaderWhenValidThenServedAndTheBackendSeesOnlyItsOwnKey() {
		ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO,
				(headers) -> headers.set("api-key", ALPHA.key()));

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertBackendSawNoCallerKey();
	}

	@Test
	void keyAsBearerWhenValidThenServedOnTheV1PathTheOpenAiSdkUses() {
		ResponseEntity<String> answer = call(HttpMethod.POST, "/openai/v1/chat/completions", """
				{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":20}""",
				(headers) -> headers.setBearerAuth(ALPHA.key()));

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertBackendSawNoCallerKey();
	}

	@Test
	void staleAzureKeyBesideAnEntraTokenWhenCalledThenTheTokenDecidesAndTheStaleKeyGoesNowhere() {
		ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO, (headers) -> {
			headers.set("api-key", "0123456789abcdef0123456789abcdef");
			headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice"));
		});

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(SIM_A.received()).singleElement()
			.satisfies((request) -> assertThat(request.header("api-key")).isEqualTo(GatewayFixtures.KEY_A));
	}

	@Test
	void wrongUnknownOrMalformedKeyWhenCalledThenOneAndTheSameAzure401() {
		ResponseEntity<String> wrong = call(HttpMethod.POST, CHAT, HELLO,
				(headers) -> headers.set("api-key", CallerKeyFixtures.wrongSecret(ALPHA.key())));
		ResponseEntity<String> unknown = call(HttpMethod.POST, CHAT, HELLO,
				(headers) -> headers.set("api-key", CallerKeyFixtures.issue("alpha-app", "never-configured").key()));
		ResponseEntity<String> staleAzureKey = call(HttpMethod.POST, CHAT, HELLO,
				(headers) -> headers.set("api-key", "0123456789abcdef0123456789abcdef"));

		for (ResponseEntity<String> answer : List.of(wrong, unknown, staleAzureKey)) {
			assertThat(answer.getStatusCode().value()).isEqualTo(401);
			assertThat(answer.getBody()).isEqualTo(wrong.getBody());
		}
		assertThat(JSON.readTree(wrong.getBody()).path("error").path("code").asString()).isEqualTo("401");
		assertThat(wrong.getBody()).contains("invalid gateway key").doesNotContain(ALPHA.record().keyId());
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void expiredKeyWhenCalledThen401SayingExpired() {
		ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO,
				(headers) -> headers.set("api-key", EXPIRED.key()));

		assertThat(answer.getStatusCode().value()).isEqualTo(401);
		assertThat(answer.getBody()).contains("expired");
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void noCredentialWhenKeysAreOnThen401NamingBothWaysIn() {
		ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO, (headers) -> {
		});

		assertThat(answer.getStatusCode().value()).isEqualTo(401);
		assertThat(answer.getBody()).contains("Authorization header (Bearer)")
			.contains("key issued by this gateway in the api-key header");
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void keyAndEntraTokenTogetherWhenCalledThen400AskingForOneCredential() {
		ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO, (headers) -> {
			headers.set("api-key", ALPHA.key());
			headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice"));
		});

		assertThat(answer.getStatusCode().value()).isEqualTo(400);
		assertThat(answer.getBody()).contains("Send one credential");
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void twoKeysOfOneAppWhenTheBudgetIsSpentThenBothAreRefusedAndAnotherAppIsNot() {
		int status;
		int calls = 0;
		do {
			IssuedCallerKey key = (calls % 2 == 0) ? LIMITED : LIMITED_NEXT;
			status = call(HttpMethod.POST, CHAT, HELLO, (headers) -> headers.set("api-key", key.key())).getStatusCode()
				.value();
			calls++;
		}
		while (status == 200 && calls < 100);

		assertThat(status).isEqualTo(403);
		assertThat(calls).isGreaterThan(2);
		assertThat(status(LIMITED)).isEqualTo(403);
		assertThat(status(LIMITED_NEXT)).isEqualTo(403);
		assertThat(status(BETA)).isEqualTo(200);
		JsonNode quota = JSON.readTree(
				call(HttpMethod.GET, "/gateway/quota", null, (headers) -> headers.set("api-key", LIMITED_NEXT.key()))
					.getBody());
		assertThat(quota.path("caller").asString()).isEqualTo("caller-key:limited-app");
		assertThat(quota.path("windows").get(0).path("policy").asString()).isEqualTo("limited-app-daily");
		assertThat(quota.path("windows").get(0).path("used").asLong()).isPositive();
	}

	@Test
	void objectOfOneAppWhenReachedByAnotherAppOrAnEntraUserThen404AndByItsOtherKeyThen200() {
		String path = "/openai/v1/responses/" + JSON
			.readTree(call(HttpMethod.POST, "/openai/v1/responses", """
					{"model":"gpt-5-pool","input":"Remember this."}""",
					(headers) -> headers.set("api-key", ALPHA.key()))
				.getBody())
			.path("id")
			.asString();

		assertThat(call(HttpMethod.GET, path, null, (headers) -> headers.set("api-key", BETA.key())).getStatusCode()
			.value()).isEqualTo(404);
		assertThat(call(HttpMethod.GET, path, null,
				(headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alpha-app")))
			.getStatusCode()
			.value()).isEqualTo(404);
		assertThat(
				call(HttpMethod.GET, path, null, (headers) -> headers.set("api-key", ALPHA_NEXT.key())).getStatusCode()
					.value())
			.isEqualTo(200);
	}

	@Test
	void keyCallerWhenServedThenInTokenMetricsAndUsageRecordsAsItsApp() {
		UsageLines usage = new UsageLines();
		usage.start();
		this.usageLogger.addAppender(usage);
		try {
			double before = appInputTokens("beta-app");

			ResponseEntity<String> answer = call(HttpMethod.POST, CHAT, HELLO,
					(headers) -> headers.set("api-key", BETA.key()));

			long prompt = JSON.readTree(answer.getBody()).path("usage").path("prompt_tokens").asLong();
			eventually(() -> appInputTokens("beta-app") - before, (delta) -> delta == prompt, Duration.ofSeconds(10));
			// Records are written in the background: one of an earlier test's call may
			// come in too. This call's is the one of beta-app.
			String record = eventually(
					() -> usage.lines().stream().filter((line) -> line.contains("beta-app")).toList(),
					(lines) -> !lines.isEmpty(), Duration.ofSeconds(10))
				.get(0);
			JsonNode fields = JSON.readTree(record);
			assertThat(fields.path("caller").asString()).isEqualTo("caller-key:beta-app");
			assertThat(fields.path("app").asString()).isEqualTo("beta-app");
			assertThat(record).doesNotContain(BETA.key().substring(16));
		}
		finally {
			this.usageLogger.detachAppender(usage);
		}
	}

	@Test
	void badKeysFromOneSourceWhenPastTheBurstThen429EvenForTheRightKeyAndCountedWhileOthersAreServed() {
		double throttledBefore = outcome("throttled");
		double unknownBefore = outcome("unknown");
		for (int i = 0; i < 5; i++) {
			assertThat(fromSource("203.0.113.7", CallerKeyFixtures.wrongSecret(ALPHA.key())).getStatusCode().value())
				.isEqualTo(401);
		}

		ResponseEntity<String> refused = fromSource("203.0.113.7", ALPHA.key());

		assertThat(refused.getStatusCode().value()).isEqualTo(429);
		assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("6");
		assertThat(refused.getHeaders().getFirst("retry-after-ms")).isNotNull();
		assertThat(JSON.readTree(refused.getBody()).path("error").path("code").asString()).isEqualTo("429");
		assertThat(fromSource("203.0.113.8", ALPHA.key()).getStatusCode().value()).isEqualTo(200);
		assertThat(outcome("throttled") - throttledBefore).isEqualTo(1);
		assertThat(outcome("wrong_secret") + outcome("unknown") - unknownBefore).isGreaterThanOrEqualTo(5);
		String scrape = client().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block();
		assertThat(scrape).contains("aoai_gateway_caller_key_auth_total{outcome=\"throttled\"}")
			.contains("aoai_gateway_caller_key_auth_total{outcome=\"unavailable\"} 0.0")
			.contains("aoai_gateway_caller_keys_staleness_seconds");
	}

	@Test
	void badKeysWhenTheClientWritesAnotherAddressIntoXForwardedForEachTimeThenStillCountedByItsOwn() {
		// The test client is the "ingress" here (loopback is a trusted proxy): it appends
		// 203.0.113.50; what the client itself wrote stands to the left and changes.
		for (int i = 0; i < 5; i++) {
			assertThat(fromSource("198.51.100." + i + ", 203.0.113.50", CallerKeyFixtures.wrongSecret(ALPHA.key()))
				.getStatusCode()
				.value()).isEqualTo(401);
		}

		ResponseEntity<String> refused = fromSource("198.51.100.99, 203.0.113.50", ALPHA.key());

		assertThat(refused.getStatusCode().value()).isEqualTo(429);
	}

	@Test
	void adminEndpointWhenNotEnabledThen404EvenWithTheRole() {
		String admin = GatewayFixtures.ISSUER.mint("key-admin",
				(claims) -> claims.claim("roles", List.of("Gateway.KeyAdmin")));

		ResponseEntity<String> answer = call(HttpMethod.GET, "/gateway/keys", null,
				(headers) -> headers.setBearerAuth(admin));

		assertThat(answer.getStatusCode().value()).isEqualTo(404);
	}

	private void assertBackendSawNoCallerKey() {
		assertThat(SIM_A.received()).isNotEmpty().allSatisfy((request) -> {
			assertThat(request.header("api-key")).isEqualTo(GatewayFixtures.KEY_A);
			assertThat(request.header("authorization")).isNull();
			assertThat(allHeaderValues(request)).noneMatch((value) -> value.contains(CallerKeyFormat.PREFIX));
		});
	}

	private static List<String> allHeaderValues(RecordedRequest request) {
		return request.headers().values().stream().flatMap(List::stream).toList();
	}

	private int status(IssuedCallerKey key) {
		return call(HttpMethod.POST, CHAT, HELLO, (headers) -> headers.set("api-key", key.key())).getStatusCode()
			.value();
	}

	private ResponseEntity<String> fromSource(String address, String key) {
		return call(HttpMethod.POST, CHAT, HELLO, (headers) -> {
			headers.set("api-key", key);
			headers.set("X-Forwarded-For", address);
		});
	}

	private double outcome(String outcome) {
		return this.registry.get("aoai.gateway.caller.key.auth").tag("outcome", outcome).counter().count();
	}

	private double appInputTokens(String app) {
		return this.registry.find("gen_ai.client.token.usage")
			.tag("aoai.app", app)
			.tag("gen_ai.token.type", "input")
			.summaries()
			.stream()
			.mapToDouble((summary) -> summary.totalAmount())
			.sum();
	}

	private ResponseEntity<String> call(HttpMethod method, String path, String body, Consumer<HttpHeaders> headers) {
		WebClient.RequestBodySpec request = client().method(method).uri(path).headers(headers);
		WebClient.RequestHeadersSpec<?> ready = (body != null)
				? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
		return ready.exchangeToMono((response) -> response.toEntity(String.class)).block(Duration.ofSeconds(30));
	}

	private WebClient client() {
		return TestClients.create("http://localhost:" + this.port);
	}

	/** The usage records written while attached. */
	static final class UsageLines extends ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> {

		private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

		List<String> lines() {
			return List.copyOf(this.lines);
		}

		@Override
		protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
			this.lines.add(event.getFormattedMessage());
		}

	}

}
