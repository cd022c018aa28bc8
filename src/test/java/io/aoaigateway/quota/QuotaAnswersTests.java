package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.quota.QuotaProperties.Scope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a caller is told when a money budget is spent, and which windows the
 * remaining-tokens headers describe.
 */
class QuotaAnswersTests {

	private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

	private static final Policy SPEND = new Policy("user-spend", Scope.USER, null, null, 1_000L, null, null,
			new BigDecimal("2.5"), null);

	private static final List<AppliedWindow> APPLIED = new QuotaPolicies(List.of(SPEND)).windows(
			new io.aoaigateway.auth.CallerIdentity("oid", "sub", "tid", "app", null, List.of(), List.of()), "gpt-4o",
			null, NOW);

	@Test
	void rejectedWhenTheDailyCostBudgetIsSpentThen403NamingPolicyBudgetCurrencyAndReset() {
		MockServerHttpResponse response = new MockServerHttpResponse();
		QuotaDecision refused = new QuotaDecision(false, List.of(new WindowState(APPLIED.get(0).window(), 10, 0),
				new WindowState(APPLIED.get(1).window(), 2_400_000, 50_000)));

		QuotaAnswers
			.rejected(response, APPLIED, refused, new Amount(20, 60_000), NOW, "EUR",
					new GatewayMeters(new SimpleMeterRegistry()))
			.block(Duration.ofSeconds(5));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
		assertThat(response.getBodyAsString().block(Duration.ofSeconds(5))).contains("\"QuotaExceeded\"")
			.contains("The daily cost budget of policy 'user-spend' (2.5 EUR) is spent; it resets at "
					+ "2026-11-26T00:00:00Z.");
		// The headers describe the token window, never the cost one.
		assertThat(response.getHeaders().getFirst(QuotaAnswers.REMAINING_TOKENS)).isEqualTo("990");
		assertThat(response.getHeaders().getFirst(QuotaAnswers.LIMIT_TOKENS)).isEqualTo("1000");
	}

	@Test
	void rejectedWhenOnlyTheTokenMinuteIsFullThen429AsBefore() {
		MockServerHttpResponse response = new MockServerHttpResponse();
		QuotaDecision refused = new QuotaDecision(false, List.of(new WindowState(APPLIED.get(0).window(), 990, 0),
				new WindowState(APPLIED.get(1).window(), 0, 0)));

		QuotaAnswers
			.rejected(response, APPLIED, refused, new Amount(20, 60_000), NOW, "USD",
					new GatewayMeters(new SimpleMeterRegistry()))
			.block(Duration.ofSeconds(5));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(response.getHeaders().getFirst("retry-after-ms")).isEqualTo("60000");
	}

}
