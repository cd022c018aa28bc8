package io.aoaigateway.observability;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus scrapes a running gateway after two rounds of mixed traffic (JSON and
 * streamed chat, embeddings, an assistants thread, a quota refusal, a 5xx, a failover
 * after a 429 and an answer where every backend was throttled); then every query of the
 * dashboards must return data and every alert expression must be valid PromQL on the
 * scraped series. Two rounds, each scraped, so that counters rise between scrapes and
 * rates, ratios and quantiles have values. Every query, a time series panel's too, runs
 * as one instant query after the traffic, its variables replaced as
 * {@link GrafanaQueries} says. Skips where Debian's {@code prometheus} package is not
 * installed.
 */
class PrometheusScrapeIntegrationTests {

	private static final Log logger = LogFactory.getLog(PrometheusScrapeIntegrationTests.class);

	/** The job the dashboards' {@code job} variable offers: the chart's Service name. */
	static final String JOB = "aoai-gateway";

	private static final Duration SCRAPE_WAIT = Duration.ofSeconds(20);

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final String EMBEDDINGS = "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21";

	private static final String THREADS = "/openai/threads";

	private static final String ASSISTANTS_VERSION = "?api-version=2024-10-01-preview";

	private static final String HI = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

	@TempDir
	static Path dir;

	private static GatewayInstance gateway;

	private static PrometheusServer prometheus;

	/** When every query is evaluated: after the traffic was scraped twice. */
	private static Instant evaluatedAt;

	/**
	 * What the dashboards' time variables become: Prometheus' whole run, so that every
	 * query sees all the traffic.
	 */
	private static String window;

	@BeforeAll
	static void trafficScrapedTwice() throws IOException {
		Path binary = PrometheusTools.require(PrometheusTools.PROMETHEUS);
		GatewayFixtures.reset();
		// Per-user series feed the "top users" panel; the user "limited" has a quota to
		// exceed. The warm-up measures nothing and takes seconds.
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.warm-up.enabled", false);
		properties.put("aoai.observability.per-user-metrics", true);
		properties.put("aoai.quota.policies[0].name", "tiny");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].subject", MetricsIntegrationTests.objectId("limited"));
		properties.put("aoai.quota.policies[0].tokens-per-minute", 10);
		// Interactive callers wait for capacity; everyone else is batch and does not.
		properties.put("aoai.priority.classes[0].name", "interactive");
		properties.put("aoai.priority.classes[0].max-wait", "10s");
		properties.put("aoai.priority.classes[1].name", "batch");
		properties.put("aoai.priority.rules[0].class", "interactive");
		properties.put("aoai.priority.rules[0].roles", "Gateway.Interactive");
		properties.put("aoai.priority.release-jitter", "0ms");
		gateway = GatewayInstance.start(properties);
		Instant started = Instant.now();
		prometheus = PrometheusServer.start(binary, dir, config(gateway.port()));
		// A scrape before any call, so that the first round's counters rise from it.
		awaitScrapes(1);
		int calls = round();
		awaitScraped(calls);
		calls += round();
		awaitScraped(calls);
		// The scrape that saw the last call and one more.
		awaitScrapes(scrapes() + 1);
		evaluatedAt = Instant.now();
		window = (Duration.between(started, evaluatedAt).toSeconds() + 5) + "s";
		logger.info("Traffic of " + calls + " calls scraped twice after "
				+ Duration.between(started, evaluatedAt).toMillis() + " ms; queries use a window of " + window);
	}

	@AfterAll
	static void stop() {
		try {
			if (prometheus != null) {
				prometheus.close();
			}
		}
		finally {
			if (gateway != null) {
				gateway.close();
			}
			GatewayFixtures.reset();
		}
	}

	@Test
	void everyDashboardQueryWhenTrafficScrapedThenReturnsData() throws IOException {
		List<String> failures = new ArrayList<>();
		int queries = 0;
		for (GrafanaQueries.Dashboard dashboard : GrafanaQueries.dashboards()) {
			for (GrafanaQueries.PanelQuery panel : dashboard.panels()) {
				queries++;
				String expr = dashboard.substitute(panel.expr(), window);
				JsonNode answer = prometheus.query(expr, evaluatedAt);
				String problem = problem(answer);
				if (problem != null) {
					failures.add(panel + "\n    sent: " + expr + "\n    " + problem);
				}
			}
		}

		assertThat(queries).isGreaterThan(30);
		assertThat(failures).as("dashboard queries without data").isEmpty();
	}

	@Test
	void everyDashboardVariableWhenTrafficScrapedThenOffersValues() throws IOException {
		List<String> failures = new ArrayList<>();
		for (GrafanaQueries.Dashboard dashboard : GrafanaQueries.dashboards()) {
			for (GrafanaQueries.VariableQuery variable : dashboard.variables()) {
				// What Grafana asks for label_values(selector, label).
				String selector = dashboard.substitute(variable.selector(), window);
				JsonNode answer = prometheus.get("/api/v1/label/" + variable.label() + "/values", Map.of("match[]",
						selector, "start", seconds(evaluatedAt.minusSeconds(300)), "end", seconds(evaluatedAt)));
				if (!"success".equals(answer.path("status").asString()) || answer.path("data").isEmpty()) {
					failures.add(variable + "\n    sent: " + selector + "\n    answer: " + answer);
				}
				else if ("job".equals(variable.name())) {
					List<String> values = new ArrayList<>();
					answer.path("data").forEach((value) -> values.add(value.asString()));
					assertThat(values).as(variable.toString()).contains(JOB);
				}
			}
		}

		assertThat(failures).as("dashboard variables without values").isEmpty();
	}

	@Test
	void everyAlertExpressionWhenRunOnTheScrapedSeriesThenValid() throws IOException {
		// The traffic had 5xx answers and answers where every backend was throttled: the
		// alerts that read them must see those series. The others may well be empty.
		Set<String> withData = Set.of("AoaiGatewayAllBackendsThrottled", "AoaiGatewayHighErrorRatio");
		List<String> failures = new ArrayList<>();
		PrometheusRulesTests.alerts(PrometheusRulesTests.RULES).forEach((alert, expr) -> {
			JsonNode answer = prometheus.query(expr, evaluatedAt);
			logger.info(alert + ": " + answer.path("data").path("result"));
			if (!"success".equals(answer.path("status").asString())) {
				failures.add(alert + ": " + expr + "\n    answer: " + answer);
			}
			else if (withData.contains(alert) && answer.path("data").path("result").isEmpty()) {
				failures.add(alert + " has no result after traffic that should show in it: " + expr);
			}
		});

		assertThat(failures).as("alert expressions").isEmpty();
	}

	@Test
	void alertRulesWhenLoadedByPrometheusThenEvaluatedWithoutError() throws IOException {
		Set<String> alerts = PrometheusRulesTests.alerts(PrometheusRulesTests.RULES).keySet();

		// Evaluated every second from Prometheus' start: each rule has run by now.
		List<JsonNode> rules = Eventually
			.eventually(PrometheusScrapeIntegrationTests::loadedRules, (loaded) -> loaded.size() == alerts.size()
					&& loaded.stream().noneMatch((rule) -> rule.path("lastEvaluation").asString().startsWith("0001-")),
					SCRAPE_WAIT);

		assertThat(rules).extracting((rule) -> rule.path("name").asString())
			.containsExactlyInAnyOrderElementsOf(alerts);
		assertThat(rules).allSatisfy((rule) -> {
			assertThat(rule.path("health").asString()).as("%s", rule).isEqualTo("ok");
			assertThat(rule.path("lastError").asString("")).as("%s", rule).isEmpty();
		});
	}

	/**
	 * One round of mixed traffic, each call checked for the answer it should get.
	 * @return the calls made, each counted once in {@code aoai_gateway_requests_total}
	 */
	private static int round() {
		assertThat(post("alice", CHAT, HI).getStatusCode().value()).as("chat").isEqualTo(200);
		assertThat(post("alice", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}")
			.getStatusCode()
			.value()).as("stream").isEqualTo(200);
		assertThat(post("alice", EMBEDDINGS, "{\"input\":\"Hi\"}").getStatusCode().value()).as("embeddings")
			.isEqualTo(200);
		ResponseEntity<String> thread = post("alice", THREADS + ASSISTANTS_VERSION, "{}");
		assertThat(thread.getStatusCode().value()).as("thread").isEqualTo(200);
		String threadId = JSON.readTree(thread.getBody()).path("id").asString();
		// Affinity: the thread is looked up to reach the backend that holds it.
		assertThat(get("alice", THREADS + "/" + threadId + ASSISTANTS_VERSION).getStatusCode().value())
			.as("thread lookup")
			.isEqualTo(200);
		assertThat(post("limited", CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":100}")
			.getStatusCode()
			.value()).as("quota refusal").isEqualTo(429);
		// Only sim-a serves the embeddings deployment: its 500 reaches the caller.
		GatewayFixtures.SIM_A.enqueue(ScriptedAnswer.status(500));
		assertThat(post("alice", EMBEDDINGS, "{\"input\":\"Hi\"}").getStatusCode().is5xxServerError())
			.as("backend error")
			.isTrue();
		GatewayFixtures.SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		assertThat(post("alice", CHAT, HI).getStatusCode().value()).as("failover after a 429").isEqualTo(200);
		GatewayFixtures.SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		GatewayFixtures.SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		assertThat(post("alice", CHAT, HI).getStatusCode().value()).as("every backend throttled").isEqualTo(429);
		GatewayFixtures.SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		GatewayFixtures.SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		String interactive = GatewayFixtures.ISSUER.mint("ivy",
				(claims) -> claims.claim("roles", List.of("Gateway.Interactive")));
		assertThat(send(interactive, CHAT, HI).getStatusCode().value()).as("served after waiting for capacity")
			.isEqualTo(200);
		return 10;
	}

	// Metrics are recorded a moment after the client has its answer: first the gateway
	// counts every call, then Prometheus has scraped them.
	private static void awaitScraped(int calls) {
		Eventually.eventually(() -> new Scrape(gateway.scrape()).value("aoai_gateway_requests_total", Map.of()),
				(counted) -> counted >= calls, SCRAPE_WAIT);
		await(() -> prometheus.value("sum(aoai_gateway_requests_total{job=\"" + JOB + "\"})"),
				(scraped) -> scraped >= calls);
	}

	private static void awaitScrapes(int count) {
		await(PrometheusScrapeIntegrationTests::scrapes, (scrapes) -> scrapes >= count);
	}

	/**
	 * @return how many successful scrapes of the gateway Prometheus has stored
	 */
	private static int scrapes() {
		double up = prometheus.value("sum_over_time(up{job=\"" + JOB + "\"}[10m])");
		return Double.isNaN(up) ? 0 : (int) up;
	}

	// Waits on Prometheus; on timeout, says what it made of the gateway and what it
	// logged.
	private static <T> void await(Supplier<T> probe, Predicate<T> done) {
		try {
			Eventually.eventually(probe, done, SCRAPE_WAIT);
		}
		catch (AssertionError ex) {
			throw new AssertionError(ex.getMessage() + "\nPrometheus' targets: "
					+ prometheus.get("/api/v1/targets", Map.of()) + "\nits log:\n" + prometheus.log(), ex);
		}
	}

	private static List<JsonNode> loadedRules() {
		List<JsonNode> rules = new ArrayList<>();
		for (JsonNode group : prometheus.get("/api/v1/rules", Map.of()).path("data").path("groups")) {
			group.path("rules").forEach(rules::add);
		}
		return rules;
	}

	/**
	 * What is wrong with a query's answer: an error, no series, or only NaN values (a
	 * ratio or quantile of nothing).
	 */
	private static String problem(JsonNode answer) {
		if (!"success".equals(answer.path("status").asString())) {
			return "error: " + answer;
		}
		JsonNode result = answer.path("data").path("result");
		if (result.isEmpty()) {
			return "no data";
		}
		for (JsonNode series : result) {
			String value = series.path("value").get(1).asString();
			if (!"NaN".equals(value)) {
				return null;
			}
		}
		return "only NaN: " + result;
	}

	private static String config(int gatewayPort) {
		// The chart's ServiceMonitor scrapes every 30 s; here every second, to be quick.
		return """
				global:
				  scrape_interval: 1s
				  scrape_timeout: 1s
				  evaluation_interval: 1s
				rule_files:
				  - %s
				scrape_configs:
				  - job_name: %s
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ['127.0.0.1:%d']
				        labels:
				          namespace: aoai-test
				""".formatted(PrometheusRulesTests.RULES.toAbsolutePath(), JOB, gatewayPort);
	}

	private static String seconds(Instant time) {
		return Long.toString(time.getEpochSecond());
	}

	private static ResponseEntity<String> post(String user, String path, String body) {
		return send(GatewayFixtures.ISSUER.mint(user), path, body);
	}

	private static ResponseEntity<String> send(String token, String path, String body) {
		return gateway.client()
			.post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

	private static ResponseEntity<String> get(String user, String path) {
		return gateway.client()
			.get()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

}
