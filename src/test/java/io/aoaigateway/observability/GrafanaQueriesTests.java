package io.aoaigateway.observability;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * How the dashboards' queries are turned into plain PromQL for
 * {@link PrometheusScrapeIntegrationTests}.
 */
class GrafanaQueriesTests {

	private static final Map<String, String> ALL = Map.of("job", ".*", "backend", ".*");

	@Test
	void substituteWhenVariablesAtAllThenRegexMatchersMatchEverythingAndWindowsTheRun() {
		String expr = "sum(rate(m{job=~\"$job\", backend =~ \"${backend}\"}[$__rate_interval])) "
				+ "/ sum(increase(m{job=~\"$job\"}[$__range]))";

		assertThat(GrafanaQueries.substitute(expr, ALL, "40s"))
			.isEqualTo("sum(rate(m{job=~\".*\", backend =~ \".*\"}[40s])) / sum(increase(m{job=~\".*\"}[40s]))");
	}

	@Test
	void substituteWhenVariableInAnExactMatcherThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> GrafanaQueries.substitute("m{job=\"$job\"}", ALL, "40s"))
			.withMessageContaining("$job is used outside a =~");
	}

	@Test
	void substituteWhenVariablePartOfARegexThenRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> GrafanaQueries.substitute("m{job=~\"$job-canary\"}", ALL, "40s"))
			.withMessageContaining("$job is used outside a =~");
	}

	@Test
	void substituteWhenUnknownVariableThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> GrafanaQueries.substitute("m{app=~\"$app\"}", ALL, "40s"))
			.withMessageContaining("Unknown variable $app");
	}

	@Test
	void dashboardsWhenReadThenEveryQueryAndVariableBecomesPlainPromQl() throws IOException {
		List<GrafanaQueries.Dashboard> dashboards = GrafanaQueries.dashboards();

		assertThat(dashboards).extracting(GrafanaQueries.Dashboard::file)
			.containsExactly("aoai-gateway-backends.json", "aoai-gateway-overview.json", "aoai-gateway-usage.json");
		assertThat(dashboards).flatExtracting(GrafanaQueries.Dashboard::panels).hasSizeGreaterThan(30);
		assertThat(dashboards).flatExtracting(GrafanaQueries.Dashboard::variables)
			.extracting(GrafanaQueries.VariableQuery::name)
			.contains("job", "backend", "app", "deployment");
		for (GrafanaQueries.Dashboard dashboard : dashboards) {
			for (GrafanaQueries.PanelQuery panel : dashboard.panels()) {
				assertThat(dashboard.substitute(panel.expr(), "40s")).as(panel.toString()).doesNotContain("$");
			}
			for (GrafanaQueries.VariableQuery variable : dashboard.variables()) {
				assertThat(dashboard.substitute(variable.selector(), "40s")).as(variable.toString())
					.doesNotContain("$");
			}
		}
	}

}
