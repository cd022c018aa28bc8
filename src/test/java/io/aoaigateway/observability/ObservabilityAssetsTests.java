package io.aoaigateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboards and the Prometheus rules under {@code observability/} are well
 * formed and read only metrics the gateway exposes, so that a renamed metric cannot leave
 * an empty panel or an alert that never fires.
 */
class ObservabilityAssetsTests {

	/**
	 * The Prometheus names of the gateway's metrics that the dashboards and rules may
	 * use.
	 */
	static final Set<String> EXPECTED_METRICS = Set.of("gen_ai_client_token_usage_sum",
			"gen_ai_client_token_usage_count", "gen_ai_client_operation_duration_seconds_bucket",
			"gen_ai_client_operation_duration_seconds_count", "gen_ai_client_operation_duration_seconds_sum",
			"gen_ai_server_time_to_first_token_seconds_bucket", "gen_ai_server_time_to_first_token_seconds_count",
			"gen_ai_server_time_to_first_token_seconds_sum", "aoai_gateway_requests_total",
			"aoai_gateway_overhead_seconds_bucket", "aoai_gateway_overhead_seconds_count",
			"aoai_gateway_overhead_seconds_sum", "aoai_gateway_failovers_total", "aoai_gateway_all_throttled_total",
			"aoai_gateway_backend_cooldowns_total", "resilience4j_circuitbreaker_state",
			"aoai_gateway_quota_admissions_total", "aoai_gateway_state_degraded", "aoai_gateway_state_errors_total",
			"aoai_gateway_affinity_lookups_total", "aoai_gateway_streams_active",
			"aoai_gateway_quota_settlements_total", "aoai_gateway_backend_credential_expiry_seconds",
			"aoai_gateway_backend_credential_renewals_total", "aoai_gateway_caller_keys_staleness_seconds",
			"aoai_gateway_caller_key_auth_total", "aoai_gateway_cost_total", "aoai_gateway_admission_queued",
			"aoai_gateway_priority_refusals_total", "aoai_gateway_admission_wait_seconds_bucket");

	static final Path DASHBOARDS = GrafanaQueries.DASHBOARDS;

	static final Path RULES = Path.of("observability", "alerts", "aoai-gateway-rules.yaml");

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Pattern DURATION = Pattern.compile("^(\\d+[smhdwy])+$");

	static Stream<Path> dashboards() throws IOException {
		try (Stream<Path> files = Files.list(DASHBOARDS)) {
			List<Path> json = files.filter((file) -> file.toString().endsWith(".json")).sorted().toList();
			assertThat(json).extracting((file) -> file.getFileName().toString())
				.containsExactly("aoai-gateway-backends.json", "aoai-gateway-overview.json", "aoai-gateway-usage.json");
			return json.stream();
		}
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void dashboardWhenParsedThenValidWithTitledPanelsAndTargets(Path file) throws IOException {
		JsonNode dashboard = readDashboard(file);

		String name = file.getFileName().toString();
		assertThat(dashboard.path("uid").asString()).isEqualTo(name.substring(0, name.length() - ".json".length()));
		assertThat(dashboard.path("schemaVersion").asInt()).isEqualTo(39);
		assertThat(dashboard.path("title").asString()).isNotBlank();
		assertThat(variables(dashboard)).anySatisfy((variable) -> {
			assertThat(variable.path("name").asString()).isEqualTo("datasource");
			assertThat(variable.path("type").asString()).isEqualTo("datasource");
			assertThat(variable.path("query").asString()).isEqualTo("prometheus");
		});
		List<JsonNode> panels = GrafanaQueries.panels(dashboard);
		assertThat(panels).isNotEmpty();
		Set<Integer> ids = new HashSet<>();
		for (JsonNode panel : panels) {
			String title = panel.path("title").asString();
			assertThat(title).as("panel title").isNotBlank();
			assertThat(ids.add(panel.path("id").asInt())).as("unique id of panel '%s'", title).isTrue();
			JsonNode grid = panel.path("gridPos");
			assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("width of '%s'", title).isBetween(1, 24);
			if ("row".equals(panel.path("type").asString())) {
				continue;
			}
			assertThat(panel.path("datasource").path("uid").asString()).as("data source of '%s'", title)
				.isEqualTo("${datasource}");
			List<JsonNode> targets = elements(panel.path("targets"));
			assertThat(targets).as("targets of '%s'", title).isNotEmpty();
			for (JsonNode target : targets) {
				assertThat(target.path("expr").asString()).as("expr in '%s'", title).isNotBlank();
				assertThat(target.path("refId").asString()).as("refId in '%s'", title).isNotBlank();
				assertThat(target.path("legendFormat").asString()).as("legend in '%s'", title).isNotBlank();
			}
		}
	}

	@ParameterizedTest
	@MethodSource("dashboards")
	void dashboardWhenMetricNamesExtractedThenOnlyExpectedNames(Path file) throws IOException {
		Set<String> names = dashboardMetricNames(file);

		assertThat(names).isNotEmpty();
		assertThat(names).isSubsetOf(EXPECTED_METRICS);
	}

	@Test
	void rulesWhenParsedThenEveryAlertHasExprForSeverityAndSummary() throws IOException {
		List<Map<?, ?>> rules = rules();

		assertThat(rules).extracting((rule) -> String.valueOf(rule.get("alert")))
			.containsExactlyInAnyOrder("AoaiGatewayAllBackendsThrottled", "AoaiGatewayHighFailoverRate",
					"AoaiGatewayStateStoreDegraded", "AoaiGatewayHighErrorRatio", "AoaiGatewayHighOverhead",
					"AoaiGatewayCircuitBreakerOpen", "AoaiGatewayUsageNotSettled",
					"AoaiGatewayBackendCredentialFailing", "AoaiGatewayBackendCredentialNotRenewed",
					"AoaiGatewayCallerKeysStale", "AoaiGatewayCallerKeyFailures", "AoaiGatewayAdmissionQueueFull");
		for (Map<?, ?> rule : rules) {
			Object alert = rule.get("alert");
			assertThat(rule.get("expr")).as("expr of %s", alert).isInstanceOf(String.class);
			assertThat((String) rule.get("expr")).as("expr of %s", alert).isNotBlank();
			assertThat(rule.get("for")).as("for of %s", alert).isInstanceOf(String.class);
			assertThat((String) rule.get("for")).as("for of %s", alert).matches(DURATION);
			assertThat(map(rule.get("labels")).get("severity")).as("severity of %s", alert)
				.isIn("critical", "warning", "info");
			Map<?, ?> annotations = map(rule.get("annotations"));
			assertThat(annotations.get("summary")).as("summary of %s", alert).isInstanceOf(String.class);
			assertThat((String) annotations.get("summary")).as("summary of %s", alert).isNotBlank();
			assertThat(annotations.get("description")).as("description of %s", alert).isInstanceOf(String.class);
		}
	}

	@Test
	void rulesWhenMetricNamesExtractedThenOnlyExpectedNames() throws IOException {
		Set<String> names = new TreeSet<>();
		for (Map<?, ?> rule : rules()) {
			Set<String> inRule = PromQlMetricNames.in((String) rule.get("expr"));
			assertThat(inRule).as("metrics of %s", rule.get("alert")).isNotEmpty();
			names.addAll(inRule);
		}

		assertThat(names).isSubsetOf(EXPECTED_METRICS);
	}

	@Test
	void referencedMetricNamesWhenAllAssetsReadThenEveryFamilyShown() throws IOException {
		Set<String> families = new TreeSet<>();
		for (String name : referencedMetricNames()) {
			families.add(name.replaceFirst("_(bucket|count|sum)$", ""));
		}

		assertThat(families).containsExactlyInAnyOrder("gen_ai_client_token_usage",
				"gen_ai_client_operation_duration_seconds", "gen_ai_server_time_to_first_token_seconds",
				"aoai_gateway_requests_total", "aoai_gateway_overhead_seconds", "aoai_gateway_failovers_total",
				"aoai_gateway_all_throttled_total", "aoai_gateway_backend_cooldowns_total",
				"resilience4j_circuitbreaker_state", "aoai_gateway_quota_admissions_total",
				"aoai_gateway_state_degraded", "aoai_gateway_state_errors_total", "aoai_gateway_affinity_lookups_total",
				"aoai_gateway_streams_active", "aoai_gateway_quota_settlements_total",
				"aoai_gateway_backend_credential_expiry_seconds", "aoai_gateway_backend_credential_renewals_total",
				"aoai_gateway_caller_keys_staleness_seconds", "aoai_gateway_caller_key_auth_total",
				"aoai_gateway_cost_total", "aoai_gateway_admission_queued", "aoai_gateway_priority_refusals_total",
				"aoai_gateway_admission_wait_seconds");
	}

	/**
	 * Every metric name the dashboards and rules read, for checks against a running
	 * gateway.
	 * @return the names
	 * @throws IOException if an asset cannot be read
	 */
	static Set<String> referencedMetricNames() throws IOException {
		Set<String> names = new TreeSet<>();
		for (Path file : dashboards().toList()) {
			names.addAll(dashboardMetricNames(file));
		}
		for (Map<?, ?> rule : rules()) {
			names.addAll(PromQlMetricNames.in((String) rule.get("expr")));
		}
		return names;
	}

	private static Set<String> dashboardMetricNames(Path file) throws IOException {
		GrafanaQueries.Dashboard dashboard = GrafanaQueries.read(file);
		Set<String> names = new TreeSet<>();
		dashboard.panels().forEach((panel) -> names.addAll(PromQlMetricNames.in(panel.expr())));
		dashboard.variables().forEach((variable) -> names.addAll(PromQlMetricNames.in(variable.selector())));
		return names;
	}

	private static JsonNode readDashboard(Path file) throws IOException {
		JsonNode dashboard = JSON.readTree(Files.readString(file));
		assertThat(dashboard.isObject()).as("%s is a JSON object", file).isTrue();
		return dashboard;
	}

	private static List<JsonNode> variables(JsonNode dashboard) {
		return elements(dashboard.path("templating").path("list"));
	}

	private static List<JsonNode> elements(JsonNode array) {
		List<JsonNode> elements = new ArrayList<>();
		array.forEach(elements::add);
		return elements;
	}

	private static List<Map<?, ?>> rules() throws IOException {
		Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RULES));
		List<Map<?, ?>> rules = new ArrayList<>();
		for (Object group : list(map(document).get("groups"))) {
			assertThat(map(group).get("name")).as("group name").isInstanceOf(String.class);
			for (Object rule : list(map(group).get("rules"))) {
				rules.add(map(rule));
			}
		}
		assertThat(rules).isNotEmpty();
		return rules;
	}

	private static Map<?, ?> map(Object node) {
		assertThat(node).isInstanceOf(Map.class);
		return (Map<?, ?>) node;
	}

	private static List<?> list(Object node) {
		assertThat(node).isInstanceOf(List.class);
		return (List<?>) node;
	}

}
