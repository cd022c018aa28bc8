package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading how long Azure asks a caller to wait, from each header form, and ignoring what
 * does not parse or is not believable.
 */
class RetryAfterTests {

	private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	@Test
	void fromWhenNoHeadersThenEmpty() {
		assertThat(RetryAfter.from(new HttpHeaders(), NOW)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "6000, PT6S", "250, PT0.25S", "1.5, PT0.0015S", "0.0000001, PT0.000000001S", "0, PT0S",
			"' 42 ', PT0.042S", "86400000, PT24H" })
	void fromWhenRetryAfterMsThenReadsMilliseconds(String value, Duration expected) {
		assertThat(RetryAfter.from(headers("retry-after-ms", value), NOW)).contains(expected);
	}

	@Test
	void fromWhenRetryAfterMsAndOthersThenPrefersRetryAfterMs() {
		HttpHeaders headers = headers("retry-after-ms", "1500");
		headers.add("retry-after", "2");
		headers.add("x-ratelimit-reset-tokens", "30s");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofMillis(1500));
	}

	@ParameterizedTest
	@CsvSource({ "6, PT6S", "0, PT0S", "86400, PT24H" })
	void fromWhenRetryAfterSecondsThenReadsSeconds(String value, Duration expected) {
		assertThat(RetryAfter.from(headers("Retry-After", value), NOW)).contains(expected);
	}

	@Test
	void fromWhenRetryAfterIsHttpDateThenMeasuresFromNow() {
		String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));

		assertThat(RetryAfter.from(headers("retry-after", date), NOW)).contains(Duration.ofSeconds(90));
	}

	@Test
	void fromWhenRetryAfterDateIsPastThenFallsThroughToResetHeaders() {
		HttpHeaders headers = headers("retry-after", "Fri, 01 May 2026 11:59:00 GMT");
		headers.add("x-ratelimit-reset-requests", "3s");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofSeconds(3));
	}

	@Test
	void fromWhenRetryAfterAndResetHeadersThenPrefersRetryAfter() {
		HttpHeaders headers = headers("retry-after", "7");
		headers.add("x-ratelimit-reset-tokens", "1m0s");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofSeconds(7));
	}

	@ParameterizedTest
	@CsvSource({ "1s, PT1S", "250ms, PT0.25S", "1m30s, PT1M30S", "6m0s, PT6M", "0.5s, PT0.5S", "1h, PT1H",
			"1m1s500ms, PT1M1.5S", "12, PT12S", "2.5, PT2.5S", "' 20ms ', PT0.02S", "0s, PT0S" })
	void fromWhenResetRequestsThenReadsTheDuration(String value, Duration expected) {
		assertThat(RetryAfter.from(headers("x-ratelimit-reset-requests", value), NOW)).contains(expected);
	}

	@Test
	void fromWhenOnlyResetTokensThenReadsIt() {
		assertThat(RetryAfter.from(headers("x-ratelimit-reset-tokens", "6m0s"), NOW)).contains(Duration.ofMinutes(6));
	}

	@Test
	void fromWhenBothResetHeadersThenTakesTheLonger() {
		HttpHeaders headers = headers("x-ratelimit-reset-requests", "1s");
		headers.add("x-ratelimit-reset-tokens", "1m30s");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofSeconds(90));
		assertThat(RetryAfter.from(reversed(headers), NOW)).contains(Duration.ofSeconds(90));
	}

	@Test
	void fromWhenOneResetHeaderIsGarbageThenTakesTheOther() {
		HttpHeaders headers = headers("x-ratelimit-reset-requests", "soon");
		headers.add("x-ratelimit-reset-tokens", "250ms");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofMillis(250));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "abc", "-5", "1e3", "NaN", "Infinity", "0x10", "5.", ".5", "1,5", "86400001",
			"99999999999999999999999999" })
	void fromWhenRetryAfterMsIsGarbageThenFallsThrough(String value) {
		HttpHeaders headers = headers("retry-after-ms", value);
		headers.add("retry-after", "4");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofSeconds(4));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "soon", "-1", "1.5", "86401", "99999999999999999999999999", "Fri, 32 May 2026",
			"Fri, 01 May 2026 12:00:00", "Sat, 02 May 2026 12:00:01 GMT" })
	void fromWhenRetryAfterIsGarbageThenFallsThrough(String value) {
		HttpHeaders headers = headers("retry-after", value);
		headers.add("x-ratelimit-reset-tokens", "2s");

		assertThat(RetryAfter.from(headers, NOW)).contains(Duration.ofSeconds(2));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "s", "ms", "1x", "-1s", "1s-", "1 s", "s1", "1m 30s", "25h", "1441m", "86401s",
			"90000", "1.s", "ms250", "-3" })
	void fromWhenResetHeaderIsGarbageOrAbsurdThenIgnoresIt(String value) {
		assertThat(RetryAfter.from(headers("x-ratelimit-reset-requests", value), NOW)).isEmpty();
		assertThat(RetryAfter.from(headers("x-ratelimit-reset-tokens", value), NOW)).isEmpty();
	}

	@Test
	void fromWhenEveryHeaderIsGarbageThenEmpty() {
		HttpHeaders headers = headers("retry-after-ms", "-1");
		headers.add("retry-after", "later");
		headers.add("x-ratelimit-reset-requests", "forever");
		headers.add("x-ratelimit-reset-tokens", "48h");

		assertThat(RetryAfter.from(headers, NOW)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "retry-after-ms, 86400000", "retry-after, 86400", "x-ratelimit-reset-requests, 24h",
			"x-ratelimit-reset-tokens, 1440m", "retry-after, 61" })
	void cooldownWhenAnyHeaderAsksForLongerThanTheCapThenTheCap(String header, String value) {
		assertThat(RetryAfter.cooldown(headers(header, value), NOW, Duration.ofSeconds(10), Duration.ofSeconds(60)))
			.isEqualTo(Duration.ofSeconds(60));
	}

	@Test
	void cooldownWhenWithinTheCapThenAsAsked() {
		assertThat(RetryAfter.cooldown(headers("retry-after-ms", "1500"), NOW, Duration.ofSeconds(10),
				Duration.ofSeconds(60)))
			.isEqualTo(Duration.ofMillis(1500));
		assertThat(
				RetryAfter.cooldown(headers("retry-after", "60"), NOW, Duration.ofSeconds(10), Duration.ofSeconds(60)))
			.isEqualTo(Duration.ofSeconds(60));
	}

	@Test
	void cooldownWhenNoBelievableHeaderThenTheDefault() {
		assertThat(RetryAfter.cooldown(headers("retry-after", "soon"), NOW, Duration.ofSeconds(10),
				Duration.ofSeconds(60)))
			.isEqualTo(Duration.ofSeconds(10));
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.add(name, value);
		return headers;
	}

	private static HttpHeaders reversed(HttpHeaders headers) {
		HttpHeaders swapped = new HttpHeaders();
		swapped.add("x-ratelimit-reset-requests", headers.getFirst("x-ratelimit-reset-tokens"));
		swapped.add("x-ratelimit-reset-tokens", headers.getFirst("x-ratelimit-reset-requests"));
		return swapped;
	}

}
