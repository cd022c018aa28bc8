package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisFixtures;
import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.local.LocalTokenIssuer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import static io.aoaigateway.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Money budgets through two gateway replicas sharing the machine's Redis, with the
 * simulator as backend: the cost charged stays within a daily budget under 50 concurrent
 * calls, refusals name the budget, and the usage records and the cost counter add up to
 * what the ledger charged.
 */
class MoneyBudgetIntegrationTests {

	/** One USD a day; at the test's prices a call reserves about 0.1 USD. */
	private static final Log logger = LogFactory.getLog(MoneyBudgetIntegrationTests.class);

	static final BigDecimal PER_DAY = new BigDecimal("1.00");

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	@AfterAll
	static void stopIssuer() {
		ISSUER.close();
	}

	@Test
	void concurrentCallsWhenSpreadOverTwoReplicasThenCostStaysWithinTheBudgetAndRecordsAddUpToTheLedger() {
		String prefix = "aoai-test:" + UUID.randomUUID() + ":";
		String user = "budget-" + UUID.randomUUID();
		Records records = new Records();
		Logger usageLogger = (Logger) LoggerFactory.getLogger("aoai.usage");
		try (GatewayInstance first = replica(prefix); GatewayInstance second = replica(prefix)) {
			// Attached once both have started: starting resets the logging.
			usageLogger.setLevel(Level.INFO);
			records.start();
			usageLogger.addAppender(records);
			String token = ISSUER.mint(user);
			List<Integer> statuses = new CopyOnWriteArrayList<>();
			List<String> refusals = new CopyOnWriteArrayList<>();

			burst(first, second, token, 50, statuses, refusals);
			// Then waves of 10 until a whole wave is refused with nothing reserved: the
			// budget is then used up to less than one call's worst case.
			boolean spent = false;
			for (int wave = 0; wave < 30 && !spent; wave++) {
				QuotaFixtures.settledWindow(first, token);
				int before = statuses.size();
				burst(first, second, token, 10, statuses, refusals);
				spent = statuses.subList(before, statuses.size()).stream().allMatch((status) -> status == 403);
			}
			int calls = statuses.size();

			JsonNode window = QuotaFixtures.settledWindow(first, token);
			BigDecimal charged = window.path("used").decimalValue();
			String caller = callerId(first, token);
			List<JsonNode> written = eventually(() -> records.of(caller), (lines) -> lines.size() == calls,
					Duration.ofSeconds(10));
			BigDecimal recorded = written.stream()
				.map((record) -> record.path("cost"))
				.filter((cost) -> !cost.isNull())
				.map(JsonNode::decimalValue)
				.reduce(BigDecimal.ZERO, BigDecimal::add);
			logger.info(String.format("%d calls: %d admitted, %d refused; charged %s USD of %s, recorded %s USD", calls,
					statuses.stream().filter((status) -> status == 200).count(),
					statuses.stream().filter((status) -> status == 403).count(), charged.toPlainString(),
					PER_DAY.toPlainString(), recorded.toPlainString()));
			assertThat(statuses).containsOnly(200, 403).contains(200, 403);
			assertThat(statuses.subList(calls - 10, calls)).containsOnly(403);
			assertThat(refusals.get(0)).contains("QuotaExceeded", "daily cost budget", "'user-budget'", "1 USD",
					"resets at");
			assertThat(window.path("unit").asString()).isEqualTo("cost");
			assertThat(window.path("currency").asString()).isEqualTo("USD");
			// Within the budget, and short of it by less than one call's worst case
			// (about 19 input tokens x 0.001 + 40 output tokens x 0.002 = 0.099 USD).
			assertThat(charged).isLessThanOrEqualTo(PER_DAY).isGreaterThan(PER_DAY.subtract(new BigDecimal("0.1")));
			assertThat(QuotaFixtures.settledWindow(second, token).path("used").decimalValue())
				.isEqualByComparingTo(charged);
			assertThat(recorded).isEqualByComparingTo(charged);
			assertThat(written.stream().filter((record) -> !record.path("cost").isNull()))
				.hasSize((int) statuses.stream().filter((status) -> status == 200).count())
				.allMatch((record) -> record.path("currency").asString().equals("USD"));
			assertThat(costCounted(first) + costCounted(second)).isCloseTo(charged.doubleValue(),
					org.assertj.core.data.Offset.offset(1e-9));
		}
		finally {
			usageLogger.detachAppender(records);
		}
	}

	@Test
	void callWhenItsPriorityClassHasSpentItsBudgetThen403WhileTheSameCallerInAnotherClassIsServed() {
		Map<String, Object> properties = new HashMap<>(pricedProperties());
		properties.put("aoai.priority.classes[0].name", "interactive");
		properties.put("aoai.priority.classes[1].name", "batch");
		properties.put("aoai.priority.default-class", "interactive");
		// Less than one call's worst case (about 0.099): every batch call is refused.
		properties.put("aoai.quota.policies[0].name", "batch-spend");
		properties.put("aoai.quota.policies[0].scope", "class");
		properties.put("aoai.quota.policies[0].subject", "batch");
		properties.put("aoai.quota.policies[0].deployment", "gpt-4o");
		properties.put("aoai.quota.policies[0].cost-per-month", "0.05");
		try (GatewayInstance gateway = GatewayInstance.start(properties, CLOCK)) {
			String token = ISSUER.mint("classy-" + UUID.randomUUID());

			String batch = chat(gateway, token, "batch");
			String interactive = chat(gateway, token, null);

			assertThat(batch).startsWith("403 ")
				.contains("The monthly cost budget of policy 'batch-spend' (0.05 USD) is spent");
			assertThat(interactive).startsWith("200 ");
		}
	}

	private static String chat(GatewayInstance gateway, String token, String priorityClass) {
		return gateway.client().post().uri(CHAT).headers((headers) -> {
			headers.setBearerAuth(token);
			if (priorityClass != null) {
				headers.set("x-aoai-priority", priorityClass);
			}
		})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Count to three."}],"max_tokens":40}""")
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> response.statusCode().value() + " " + body))
			.block(Duration.ofSeconds(10));
	}

	@Test
	void startWhenACostPolicyCoversADeploymentWithoutAPriceThenRefusesNamingBoth() {
		assertThatThrownBy(
				() -> GatewayInstance.start(
						Map.of("aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString(), "aoai.auth.issuers",
								ISSUER.issuer(), "aoai.quota.policies[0].name", "everything",
								"aoai.quota.policies[0].scope", "user", "aoai.quota.policies[0].cost-per-day", "5"),
						CLOCK))
			.hasStackTraceContaining("policy 'everything' covers deployment 'text-embedding-3-small'");
	}

	@Test
	void responseWhenItsModelHasNoPriceThen403NamingThePolicyAndNothingReachesTheBackend() {
		Map<String, Object> properties = new HashMap<>(pricedProperties());
		properties.put("aoai.state.store", "memory");
		properties.put("aoai.quota.policies[0].name", "user-spend");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].cost-per-day", "100");
		try (GatewayInstance gateway = GatewayInstance.start(properties, CLOCK)) {
			String token = ISSUER.mint("unpriced-" + UUID.randomUUID());
			GatewayFixtures.SIM_A.clearReceived();

			String answer = gateway.client()
				.post()
				.uri("/openai/v1/responses")
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("""
						{"model":"my-finetune","input":"Hello"}""")
				.exchangeToMono((response) -> response.bodyToMono(String.class)
					.map((body) -> response.statusCode().value() + " " + body))
				.block(Duration.ofSeconds(10));

			assertThat(answer).startsWith("403 ")
				.contains("\"code\":\"QuotaExceeded\"")
				.contains("Policy 'user-spend'")
				.contains("no price for 'my-finetune'");
			assertThat(GatewayFixtures.SIM_A.received()).isEmpty();
		}
	}

	@Test
	void backgroundResponseWhenItEndsThenItsCostIsChargedOnceAtItsDeploymentsPriceAndRecorded() {
		Map<String, Object> properties = new HashMap<>(pricedProperties());
		properties.put("aoai.state.store", "memory");
		properties.put("aoai.quota.policies[0].name", "user-spend");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].cost-per-day", "100");
		properties.put("aoai.quota.settlement.interval", "20ms");
		properties.put("aoai.quota.settlement.first-read", "2s");
		Records records = new Records();
		Logger usageLogger = (Logger) LoggerFactory.getLogger("aoai.usage");
		try (GatewayInstance gateway = GatewayInstance.start(properties, CLOCK)) {
			usageLogger.setLevel(Level.INFO);
			records.start();
			usageLogger.addAppender(records);
			String token = ISSUER.mint("background-" + UUID.randomUUID());
			JsonNode created = JSON.readTree(gateway.client()
				.post()
				.uri("/openai/v1/responses")
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("""
						{"model":"gpt-4o","input":"Write a long story about otters.","background":true}""")
				.exchangeToMono((response) -> response.bodyToMono(String.class))
				.block(Duration.ofSeconds(10)));
			assertThat(created.path("status").asString()).as(created.toString()).isEqualTo("queued");
			String id = created.path("id").stringValue();

			// Read in progress 2 s after admission, ended 4 s later.
			CLOCK.advance(Duration.ofSeconds(2));
			eventually(() -> settlements(gateway, "pending"), (pending) -> pending == 1, Duration.ofSeconds(10));
			CLOCK.advance(Duration.ofSeconds(4));
			BigDecimal charged = eventually(
					() -> QuotaFixtures.settledWindow(gateway, token).path("used").decimalValue(),
					(used) -> used.signum() > 0, Duration.ofSeconds(10));
			JsonNode usage = backendUsage(id);
			// 0.001 per input token, 0.002 per output token (cached and reasoning alike).
			BigDecimal expected = new BigDecimal("0.001")
				.multiply(BigDecimal.valueOf(usage.path("input_tokens").asLong()))
				.add(new BigDecimal("0.002").multiply(BigDecimal.valueOf(usage.path("output_tokens").asLong())));
			String caller = callerId(gateway, token);
			JsonNode record = eventually(() -> records.of(caller)
				.stream()
				.filter((line) -> line.path("usageSource").asString().equals("object_ended"))
				.toList(), (lines) -> !lines.isEmpty(), Duration.ofSeconds(10)).get(0);
			CLOCK.advance(Duration.ofMinutes(5));

			assertThat(charged).isEqualByComparingTo(expected);
			assertThat(record.path("usageSource").asString()).isEqualTo("object_ended");
			assertThat(record.path("cost").decimalValue()).isEqualByComparingTo(expected);
			assertThat(QuotaFixtures.settledWindow(gateway, token).path("used").decimalValue())
				.isEqualByComparingTo(charged);
		}
		finally {
			usageLogger.detachAppender(records);
		}
	}

	// The simulator's deployments without a built-in price get test prices, so that a
	// cost policy for every deployment may start.
	private static Map<String, Object> pricedProperties() {
		Map<String, Object> properties = new HashMap<>();
		properties.put("aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString());
		properties.put("aoai.auth.issuers", ISSUER.issuer());
		properties.put("aoai.pricing.models.gpt-4o[0].from", "2024-01-01");
		properties.put("aoai.pricing.models.gpt-4o[0].input", "1000");
		properties.put("aoai.pricing.models.gpt-4o[0].output", "2000");
		for (String model : List.of("text-embedding-3-small", "whisper", "tts", "dall-e-3")) {
			properties.put("aoai.pricing.models." + model + "[0].from", "2024-01-01");
			properties.put("aoai.pricing.models." + model + "[0].input", "1");
			properties.put("aoai.pricing.models." + model + "[0].output", "1");
		}
		return properties;
	}

	private static JsonNode backendUsage(String id) {
		JsonNode response = JSON.readTree(TestClients.create(GatewayFixtures.SIM_A.baseUrl().toString())
			.get()
			.uri("/openai/v1/responses/" + id)
			.header("api-key", GatewayFixtures.KEY_A)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
		assertThat(response.path("status").stringValue()).isEqualTo("completed");
		return response.path("usage");
	}

	private static double settlements(GatewayInstance gateway, String outcome) {
		return gateway.scrape()
			.lines()
			.filter((line) -> line.startsWith("aoai_gateway_quota_settlements_total{")
					&& line.contains("outcome=\"" + outcome + "\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static GatewayInstance replica(String prefix) {
		return GatewayInstance.start(Map.ofEntries(Map.entry("aoai.state.store", "redis"),
				Map.entry("aoai.state.key-prefix", prefix), Map.entry("spring.data.redis.url", RedisFixtures.LOCAL_URL),
				Map.entry("aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString()),
				Map.entry("aoai.auth.issuers", ISSUER.issuer()),
				// 1 input token costs 0.001 USD, 1 output token 0.002 USD.
				Map.entry("aoai.pricing.models.gpt-4o[0].from", "2024-01-01"),
				Map.entry("aoai.pricing.models.gpt-4o[0].input", "1000"),
				Map.entry("aoai.pricing.models.gpt-4o[0].output", "2000"),
				Map.entry("aoai.quota.policies[0].name", "user-budget"),
				Map.entry("aoai.quota.policies[0].scope", "user"),
				Map.entry("aoai.quota.policies[0].deployment", "gpt-4o"),
				Map.entry("aoai.quota.policies[0].cost-per-day", PER_DAY.toPlainString())), CLOCK);
	}

	private static void burst(GatewayInstance first, GatewayInstance second, String token, int calls,
			List<Integer> statuses, List<String> refusals) {
		Flux.range(0, calls)
			.flatMap((i) -> (((i % 2) == 0) ? first : second).client()
				.post()
				.uri(CHAT)
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("""
						{"messages":[{"role":"user","content":"Count to three."}],"max_tokens":40}""")
				.exchangeToMono((response) -> response.bodyToMono(String.class).defaultIfEmpty("").map((body) -> {
					statuses.add(response.statusCode().value());
					if (response.statusCode().value() == 403) {
						refusals.add(body);
					}
					return body;
				})), calls)
			.blockLast(Duration.ofSeconds(60));
	}

	private static double costCounted(GatewayInstance gateway) {
		return gateway.scrape()
			.lines()
			.filter((line) -> line.startsWith("aoai_gateway_cost_total{"))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static String callerId(GatewayInstance gateway, String token) {
		return QuotaFixtures.quotaStatus(gateway, token).path("caller").asString();
	}

	/** The usage records written while attached. */
	static final class Records extends AppenderBase<ILoggingEvent> {

		private final List<String> lines = new CopyOnWriteArrayList<>();

		List<JsonNode> of(String caller) {
			return this.lines.stream()
				.map(JSON::readTree)
				.filter((record) -> caller.equals(record.path("caller").asString()))
				.toList();
		}

		@Override
		protected void append(ILoggingEvent event) {
			this.lines.add(event.getFormattedMessage());
		}

	}

}
