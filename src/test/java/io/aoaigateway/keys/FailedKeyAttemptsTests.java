package io.aoaigateway.keys;

import java.time.Duration;
import java.time.Instant;

import io.aoaigateway.FakeClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FailedKeyAttempts}: a token bucket per source on a clock the test moves.
 */
class FailedKeyAttemptsTests {

	private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));

	@Test
	void refusedForWhenBurstSpentThenRefusedUntilOneTokenIsBack() {
		FailedKeyAttempts attempts = new FailedKeyAttempts(10, 20, 100, this.clock);

		for (int i = 0; i < 19; i++) {
			attempts.failed("10.0.0.1");
		}
		assertThat(attempts.refusedFor("10.0.0.1")).isZero();
		attempts.failed("10.0.0.1");

		assertThat(attempts.refusedFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(6));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(attempts.refusedFor("10.0.0.1")).isBetween(Duration.ofMillis(999), Duration.ofMillis(1001));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(attempts.refusedFor("10.0.0.1")).isZero();
	}

	@Test
	void refusedForWhenOneSourceIsRefusedThenOthersAreNot() {
		FailedKeyAttempts attempts = new FailedKeyAttempts(10, 2, 100, this.clock);

		attempts.failed("10.0.0.1");
		attempts.failed("10.0.0.1");

		assertThat(attempts.refusedFor("10.0.0.1")).isPositive();
		assertThat(attempts.refusedFor("10.0.0.2")).isZero();
	}

	@Test
	void refusedForWhenFailuresComeSlowerThanTheRateThenNeverRefused() {
		FailedKeyAttempts attempts = new FailedKeyAttempts(10, 2, 100, this.clock);

		for (int i = 0; i < 100; i++) {
			attempts.failed("10.0.0.1");
			this.clock.advance(Duration.ofSeconds(6));
		}

		assertThat(attempts.refusedFor("10.0.0.1")).isZero();
	}

	@Test
	void sizeWhenManySourcesThenBounded() {
		FailedKeyAttempts attempts = new FailedKeyAttempts(10, 20, 100, this.clock);

		for (int i = 0; i < 1_000; i++) {
			attempts.failed("source-" + i);
		}

		assertThat(attempts.size()).isLessThanOrEqualTo(100);
	}

	@Test
	void sizeWhenBucketsFullAgainThenForgotten() {
		FailedKeyAttempts attempts = new FailedKeyAttempts(10, 20, 100, this.clock);
		attempts.failed("10.0.0.1");

		this.clock.advance(Duration.ofMinutes(2).plusSeconds(1));

		assertThat(attempts.size()).isZero();
	}

	@Test
	void sourceOfWhenIpv6ThenItsSlash64AndWhenIpv4ThenTheAddress() {
		String first = FailedKeyAttempts.sourceOf(ClientSource.literal("2001:db8:1:2:aaaa::1"));
		String second = FailedKeyAttempts.sourceOf(ClientSource.literal("2001:db8:1:2:bbbb::9"));
		String otherNetwork = FailedKeyAttempts.sourceOf(ClientSource.literal("2001:db8:1:3::1"));

		assertThat(first).isEqualTo(second).isEqualTo("2001:db8:1:2::/64");
		assertThat(otherNetwork).isNotEqualTo(first);
		assertThat(FailedKeyAttempts.sourceOf(ClientSource.literal("192.0.2.7"))).isEqualTo("192.0.2.7");
		assertThat(FailedKeyAttempts.sourceOf(null)).isEqualTo("unknown");
	}

}
