package io.aoaigateway.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart ships copies of the dashboards and alert rules (Helm reads files only from
 * inside a chart); they must not drift from the originals under {@code observability/}.
 */
class ChartCopiesTests {

	@ParameterizedTest
	@ValueSource(strings = { "dashboards/aoai-gateway-overview.json", "dashboards/aoai-gateway-backends.json",
			"dashboards/aoai-gateway-usage.json" })
	void dashboardWhenCopiedIntoTheChartThenIdentical(String file) throws IOException {
		assertThat(Files.readString(Path.of("helm/aoai-gateway/files", file)))
			.isEqualTo(Files.readString(Path.of("observability", file)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "aoai-gateway-rules.yaml" })
	void rulesWhenCopiedIntoTheChartThenIdentical(String file) throws IOException {
		assertThat(Files.readString(Path.of("helm/aoai-gateway/files", file)))
			.isEqualTo(Files.readString(Path.of("observability/alerts", file)));
	}

}
