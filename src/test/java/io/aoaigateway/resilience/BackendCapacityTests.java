package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class BackendCapacityTests {

	private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

	private final BackendCapacity capacity = new BackendCapacity(90, Duration.ofMinutes(1));

	@Test
	void exhaustedWhenNoTokensRemainThenTrueUntilTheReportIsAMinuteOld() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-tokens", "0"), NOW);

		assertThat(this.capacity.exhausted("a/gpt-4o", NOW.plusSeconds(59))).isTrue();
		assertThat(this.capacity.exhausted("a/gpt-4o", NOW.plus(Duration.ofSeconds(61)))).isFalse();
		assertThat(this.capacity.exhausted("b/gpt-4o", NOW)).isFalse();
	}

	@Test
	void exhaustedWhenRoomRemainsThenFalse() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-tokens", "1200"), NOW);

		assertThat(this.capacity.exhausted("a/gpt-4o", NOW)).isFalse();
	}

	@Test
	void exhaustedWhenProvisionedUtilizationAtThresholdThenTrue() {
		this.capacity.record("ptu/gpt-4o", headers("azure-openai-deployment-utilization", "90.5%"), NOW);
		this.capacity.record("ptu/gpt-4o-mini", headers("azure-openai-deployment-utilization", "42"), NOW);

		assertThat(this.capacity.exhausted("ptu/gpt-4o", NOW)).isTrue();
		assertThat(this.capacity.exhausted("ptu/gpt-4o-mini", NOW)).isFalse();
	}

	@Test
	void recordWhenHeadersAreGarbageThenNothingIsConcluded() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-tokens", "lots"), NOW);
		this.capacity.record("a/gpt-4o", headers("azure-openai-deployment-utilization", "NaN%"), NOW);

		assertThat(this.capacity.exhausted("a/gpt-4o", NOW)).isFalse();
	}

	@Test
	void recordWhenRequestsRunOutThenExhausted() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-requests", "0"), NOW);

		assertThat(this.capacity.exhausted("a/gpt-4o", NOW)).isTrue();
	}

	@Test
	void reservedAboveWhenTheShareLeftIsAtTheFloorThenTrueUntilItRefills() {
		HttpHeaders headers = headers("x-ratelimit-limit-tokens", "10000");
		headers.set("x-ratelimit-remaining-tokens", "3000");
		headers.set("x-ratelimit-limit-requests", "60");
		headers.set("x-ratelimit-remaining-requests", "45");
		this.capacity.record("a/gpt-4o", headers, NOW);

		// 30 % of the tokens left (the lower of 30 % and 75 %), refilling 1/60 a second.
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.3, NOW)).isTrue();
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.2, NOW)).isFalse();
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.5, NOW.plusSeconds(11))).isTrue();
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.5, NOW.plusSeconds(13))).isFalse();
		assertThat(this.capacity.roomAt("a/gpt-4o", 0.5, NOW)).isBetween(NOW.plusSeconds(12),
				NOW.plusSeconds(12).plusMillis(1));
		assertThat(this.capacity.roomAt("a/gpt-4o", 0.2, NOW)).isEqualTo(NOW);
	}

	@Test
	void reservedAboveWhenFloorIsZeroOrNothingReportedThenFalse() {
		this.capacity.throttled("a/gpt-4o", NOW);

		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0, NOW)).isFalse();
		assertThat(this.capacity.reservedAbove("b/gpt-4o", 0.9, NOW)).isFalse();
		assertThat(this.capacity.roomAt("b/gpt-4o", 0.9, NOW)).isEqualTo(NOW);
	}

	@Test
	void throttledThenNoRoomLeftAndLowerClassesWaitLongerForIt() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-requests", "40"), NOW);
		this.capacity.throttled("a/gpt-4o", NOW.plusSeconds(1));

		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.1, NOW.plusSeconds(6))).isTrue();
		assertThat(this.capacity.roomAt("a/gpt-4o", 0.1, NOW.plusSeconds(1))).isAfter(NOW.plusSeconds(7));
		assertThat(this.capacity.roomAt("a/gpt-4o", 0.4, NOW.plusSeconds(1))).isAfter(NOW.plusSeconds(25));
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.4, NOW.plusSeconds(26))).isFalse();
	}

	@Test
	void recordWhenLimitIsAPlaceholderThenTheLargestRemainingCountStandsForIt() {
		HttpHeaders first = headers("x-ratelimit-remaining-tokens", "8000");
		first.set("x-ratelimit-limit-tokens", "-1");
		this.capacity.record("a/gpt-4o", first, NOW);
		HttpHeaders second = headers("x-ratelimit-remaining-tokens", "2000");
		second.set("x-ratelimit-limit-tokens", "0");
		this.capacity.record("a/gpt-4o", second, NOW);

		// 2000 of at least 8000: a quarter left.
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.25, NOW)).isTrue();
		assertThat(this.capacity.reservedAbove("a/gpt-4o", 0.24, NOW)).isFalse();
	}

	@Test
	void recordWhenProvisionedThenTheShareIsWhatUtilizationLeavesBelowTheThreshold() {
		this.capacity.record("ptu/gpt-4o", headers("azure-openai-deployment-utilization", "45%"), NOW);

		assertThat(this.capacity.reservedAbove("ptu/gpt-4o", 0.5, NOW)).isTrue();
		assertThat(this.capacity.reservedAbove("ptu/gpt-4o", 0.49, NOW)).isFalse();
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

}
