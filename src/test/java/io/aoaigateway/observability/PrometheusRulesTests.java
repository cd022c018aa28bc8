package io.aoaigateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.aoaigateway.Commands;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules under {@code observability/alerts} as Prometheus itself reads them:
 * {@code promtool check rules} on both copies, {@code promtool test rules} on the unit
 * tests in {@code observability/alerts/tests}, and a check that every alert has unit
 * tests where it fires and where it stays quiet, so that a new alert cannot ship
 * untested. The promtool tests skip where Debian's {@code prometheus} package is not
 * installed.
 */
class PrometheusRulesTests {

	static final Path RULES = ObservabilityAssetsTests.RULES;

	static final Path CHART_RULES = Path.of("helm", "aoai-gateway", "files", "aoai-gateway-rules.yaml");

	static final Path UNIT_TESTS = Path.of("observability", "alerts", "tests");

	private static final Duration PROMTOOL_TIMEOUT = Duration.ofSeconds(60);

	@Test
	void rulesWhenCheckedByPromtoolThenValid() throws IOException {
		Path promtool = PrometheusTools.require(PrometheusTools.PROMTOOL);

		Commands.Run run = Commands.run(Map.of(), PROMTOOL_TIMEOUT,
				List.of(promtool.toString(), "check", "rules", RULES.toString(), CHART_RULES.toString()));

		assertThat(run.exitCode()).as(run.describe()).isZero();
		assertThat(run.output()).as(run.describe()).contains("SUCCESS: " + alerts(RULES).size() + " rules found");
	}

	@Test
	void alertUnitTestsWhenRunByPromtoolThenPass() throws IOException {
		Path promtool = PrometheusTools.require(PrometheusTools.PROMTOOL);
		List<String> command = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
		unitTestFiles().forEach((file) -> command.add(file.toString()));

		Commands.Run run = Commands.run(Map.of(), PROMTOOL_TIMEOUT, command);

		assertThat(run.exitCode()).as(run.describe()).isZero();
		assertThat(run.output()).as(run.describe()).doesNotContain("FAILED");
	}

	@Test
	void everyAlertWhenUnitTestedThenHasAFiringAndAQuietCase() throws IOException {
		Map<Path, Object> files = new LinkedHashMap<>();
		for (Path file : unitTestFiles()) {
			files.put(file, load(file));
		}

		assertThat(coverageProblems(alerts(RULES).keySet(), files)).isEmpty();
	}

	@Test
	void coverageWhenAnAlertLacksAQuietCaseOrTestsAnotherFileThenReported() {
		Object onlyFiring = new Yaml(new SafeConstructor(new LoaderOptions())).load("""
				rule_files: [../aoai-gateway-rules.yaml]
				tests:
				  - interval: 1m
				    alert_rule_test:
				      - eval_time: 5m
				        alertname: A
				        exp_alerts:
				          - exp_labels: {severity: critical}
				            exp_annotations: {summary: s}
				      - eval_time: 5m
				        alertname: B
				""");
		Object otherRules = new Yaml(new SafeConstructor(new LoaderOptions())).load("""
				rule_files: [other-rules.yaml]
				tests: []
				""");

		assertThat(coverageProblems(Set.of("A", "B", "C"),
				Map.of(Path.of("a.yaml"), onlyFiring, Path.of("b.yaml"), otherRules)))
			.containsExactlyInAnyOrder("A has no case where it stays quiet", "B has no case where it fires",
					"C has no case where it fires", "C has no case where it stays quiet",
					"b.yaml tests [other-rules.yaml], not aoai-gateway-rules.yaml");
	}

	/**
	 * What the unit tests miss: an alert without a firing case (an
	 * {@code alert_rule_test} whose {@code exp_alerts} each check labels and annotations)
	 * or without a quiet case (one with no {@code exp_alerts}), a test of an alert that
	 * does not exist, or a file that tests other rules.
	 * @param alerts the names of the alerts in the rule file
	 * @param files each unit test file, parsed
	 * @return the problems, empty when every alert is covered
	 */
	static List<String> coverageProblems(Set<String> alerts, Map<Path, Object> files) {
		List<String> problems = new ArrayList<>();
		Set<String> firing = new TreeSet<>();
		Set<String> quiet = new TreeSet<>();
		files.forEach((file, document) -> {
			Map<?, ?> root = map(document);
			List<?> ruleFiles = list(root.get("rule_files"));
			if (ruleFiles.size() != 1 || !String.valueOf(ruleFiles.get(0)).endsWith("/" + RULES.getFileName())) {
				problems.add(file + " tests " + ruleFiles + ", not " + RULES.getFileName());
			}
			for (Object group : list(root.get("tests"))) {
				for (Object test : list(map(group).get("alert_rule_test"))) {
					String alert = String.valueOf(map(test).get("alertname"));
					if (!alerts.contains(alert)) {
						problems.add(file + " tests " + alert + ", which is not in " + RULES.getFileName());
					}
					List<?> expected = list(map(test).get("exp_alerts"));
					if (expected.isEmpty()) {
						quiet.add(alert);
					}
					else if (expected.stream()
						.allMatch((alertCase) -> !map(map(alertCase).get("exp_labels")).isEmpty()
								&& !map(map(alertCase).get("exp_annotations")).isEmpty())) {
						firing.add(alert);
					}
				}
			}
		});
		for (String alert : new TreeSet<>(alerts)) {
			if (!firing.contains(alert)) {
				problems.add(alert + " has no case where it fires");
			}
			if (!quiet.contains(alert)) {
				problems.add(alert + " has no case where it stays quiet");
			}
		}
		return problems;
	}

	/**
	 * The alerts of a rule file.
	 * @param file the rule file
	 * @return each alert's expression by name, in file order
	 * @throws IOException if the file cannot be read
	 */
	static Map<String, String> alerts(Path file) throws IOException {
		Map<String, String> alerts = new LinkedHashMap<>();
		for (Object group : list(map(load(file)).get("groups"))) {
			for (Object rule : list(map(group).get("rules"))) {
				Object alert = map(rule).get("alert");
				if (alert != null) {
					alerts.put(alert.toString(), String.valueOf(map(rule).get("expr")));
				}
			}
		}
		assertThat(alerts).as("alerts in %s", file).isNotEmpty();
		return alerts;
	}

	static List<Path> unitTestFiles() throws IOException {
		try (Stream<Path> files = Files.list(UNIT_TESTS)) {
			List<Path> yaml = files.filter((file) -> file.toString().endsWith(".yaml")).sorted().toList();
			assertThat(yaml).as("unit tests in %s", UNIT_TESTS).isNotEmpty();
			return yaml;
		}
	}

	private static Object load(Path file) throws IOException {
		return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
	}

	private static Map<?, ?> map(Object value) {
		if (value == null) {
			return Map.of();
		}
		assertThat(value).isInstanceOf(Map.class);
		return (Map<?, ?>) value;
	}

	private static List<?> list(Object value) {
		if (value == null) {
			return List.of();
		}
		assertThat(value).isInstanceOf(List.class);
		return (List<?>) value;
	}

}
