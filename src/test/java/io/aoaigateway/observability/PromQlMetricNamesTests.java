package io.aoaigateway.observability;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PromQlMetricNamesTests {

	@Test
	void metricNamesWhenHistogramQuantileThenBucketOnlyNotLabelsOrFunctions() {
		assertThat(PromQlMetricNames.in("histogram_quantile(0.99, sum by (le, family) "
				+ "(rate(aoai_gateway_overhead_seconds_bucket{job=~\"$job\", le!=\"+Inf\"}[$__rate_interval])))"))
			.containsExactly("aoai_gateway_overhead_seconds_bucket");
	}

	@Test
	void metricNamesWhenRatioWithClampAndScientificNumberThenBothSides() {
		assertThat(PromQlMetricNames
			.in("sum(rate(a_total{status=~\"5..\"}[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9)"))
			.containsExactly("a_total", "b_total");
	}

	@Test
	void metricNamesWhenGroupingAfterAggregationAndVectorMatchingThenLabelListsSkipped() {
		assertThat(PromQlMetricNames.in("sum(x_total) without (le, instance) * on (job) group_left (version) "
				+ "build_info and ignoring(reason) y_total unless z offset 1h > bool 0"))
			.containsExactly("x_total", "build_info", "y_total", "z");
	}

	@Test
	void metricNamesWhenGroupLeftWithoutLabelsThenNextMetricKept() {
		assertThat(PromQlMetricNames.in("a * on (job) group_left b")).containsExactly("a", "b");
	}

	@Test
	void metricNamesWhenStringsHoldBracesAndIdentifiersThenIgnored() {
		assertThat(PromQlMetricNames
			.in("label_replace(up{job=\"a}b\"}, \"dst\", \"$1 rate(x)\", 'src', \"(.*)\") or vector(0) * `raw sum(y)`"))
			.containsExactly("up");
	}

	@Test
	void metricNamesWhenMultilineWithCommentAndKeywordCaseThenNamesOnly() {
		assertThat(PromQlMetricNames.in("""
				# ratio of failovers
				SUM BY (job) (rate(aoai_gateway_failovers_total[5m]))
				  / sum by (job) (rate(aoai_gateway_requests_total[5m])) > 0.1
				AND ON (job) count(resilience4j_circuitbreaker_state{state="open"} == 1) > 0
				""")).containsExactly("aoai_gateway_failovers_total", "aoai_gateway_requests_total",
				"resilience4j_circuitbreaker_state");
	}

	@Test
	void metricNamesWhenRecordingRuleNameSubqueryAndVariablesThenFound() {
		assertThat(PromQlMetricNames
			.in("max_over_time(job:requests:rate5m{job=\"$job\"}[${__range}:1m]) * $scale + ${offset} - .5"))
			.containsExactly("job:requests:rate5m");
	}

	@Test
	void metricNamesWhenSelectorByNameMatcherThenNameFound() {
		assertThat(PromQlMetricNames.in("count({__name__=\"aoai_gateway_streams_active\", job=\"gw\"})"))
			.containsExactly("aoai_gateway_streams_active");
		assertThat(PromQlMetricNames.in("count({__name__=~\"aoai_.*\"})")).isEmpty();
	}

	@Test
	void metricNamesWhenBareGaugeThenFound() {
		assertThat(PromQlMetricNames.in("aoai_gateway_state_degraded == 1"))
			.containsExactly("aoai_gateway_state_degraded");
	}

	@Test
	void metricNamesWhenUnknownFunctionThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> PromQlMetricNames.in("histogram_quantil(0.9, x)"))
			.withMessageContaining("histogram_quantil");
	}

	@Test
	void metricNamesWhenSelectorLeftOpenThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> PromQlMetricNames.in("rate(x{job=\"a\"[5m])"));
		assertThatIllegalArgumentException().isThrownBy(() -> PromQlMetricNames.in("x{job=\"a}"));
	}

}
