package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class BackendCapacityTests {

	private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

	private final BackendCapacity capacity = new BackendCapacity(90);

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

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

}
