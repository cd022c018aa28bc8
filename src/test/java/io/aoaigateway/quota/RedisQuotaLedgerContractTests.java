package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the Redis ledger, plus what only a shared store must do: several
 * replicas on their own connections, and keys that Redis forgets by itself. Each test
 * uses its own key prefix and deletes its keys afterwards.
 */
abstract class RedisQuotaLedgerContractTests extends QuotaLedgerContractTests {

	final String prefix = "aoai-test:" + UUID.randomUUID() + ":";

	private RedisFixtures.Connections connections;

	private RedisQuotaLedger ledger;

	private ReactiveStringRedisTemplate redis;

	/**
	 * @return the Redis to test against
	 */
	protected abstract String redisUrl();

	@BeforeEach
	void connect() {
		this.connections = new RedisFixtures.Connections(redisUrl());
		this.redis = this.connections.template();
		this.ledger = new RedisQuotaLedger(this.redis, this.prefix, Duration.ofSeconds(5));
	}

	@AfterEach
	void deleteKeysAndDisconnect() {
		this.connections.close(this.prefix);
	}

	@Override
	protected QuotaLedger ledger() {
		return this.ledger;
	}

	/**
	 * @return another replica: a ledger on its own connection, sharing the keys
	 */
	RedisQuotaLedger replica() {
		return new RedisQuotaLedger(this.connections.open(), this.prefix, Duration.ofSeconds(5));
	}

	@Test
	void reserveWhenFiftySubscriptionsInFlightThenExactlyTenAdmitted() {
		QuotaWindow minute = window("alice:minute", 1_000);
		List<Mono<QuotaDecision>> calls = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			calls.add(this.ledger.reserve("r" + i, Amount.tokens(100), List.of(minute), NOW, TTL));
		}

		List<QuotaDecision> decisions = Flux.merge(calls).collectList().block(WAIT);

		assertThat(decisions).hasSize(50).filteredOn(QuotaDecision::admitted).hasSize(10);
		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 0, 1_000));
	}

	@Test
	void reserveWhenTwoReplicasCompeteThenExactlyTenAdmittedInTotal() {
		QuotaWindow minute = window("alice:minute", 1_000);
		List<RedisQuotaLedger> replicas = List.of(this.ledger, replica());
		List<Mono<QuotaDecision>> calls = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			calls.add(replicas.get(i % 2).reserve("r" + i, Amount.tokens(100), List.of(minute), NOW, TTL));
		}

		List<QuotaDecision> decisions = Flux.merge(calls).collectList().block(WAIT);

		assertThat(decisions).hasSize(50).filteredOn(QuotaDecision::admitted).hasSize(10);
		assertThat(replicas.get(1).read(List.of(minute), NOW).block(WAIT))
			.containsExactly(new WindowState(minute, 0, 1_000));
	}

	@Test
	void settleWhenOtherReplicaReservedThenReplacesTheReservation() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);

		replica().settle("r1", Amount.tokens(500), Amount.tokens(100), List.of(minute), NOW, REMEMBER).block(WAIT);

		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 100, 0));
	}

	@Test
	void everyWriteWhenWindowTouchedThenKeysExpireAfterTheWindowAndGrace() {
		Instant resetsAt = NOW.plusSeconds(60);
		QuotaWindow minute = new QuotaWindow("alice:minute:1", 1_000, resetsAt);
		Duration untilForgotten = Duration.between(NOW, resetsAt.plus(RedisQuotaLedger.GRACE));

		reserve("r1", 100, List.of(minute), NOW);
		chargeOnce("run:abc", 10, List.of(minute), NOW, Duration.ofMinutes(5));

		for (String key : List.of(this.prefix + "alice:minute:1", this.prefix + "alice:minute:1:r")) {
			assertThat(this.redis.getExpire(key).block(WAIT)).isPositive().isLessThanOrEqualTo(untilForgotten);
		}
		assertThat(this.redis.getExpire(this.prefix + "charged:run:abc").block(WAIT)).isPositive()
			.isLessThanOrEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void settleWhenCalledThenItsMarkerExpiresAfterRemember() {
		QuotaWindow minute = window("alice:minute", 1_000);

		settle("r1", 100, 50, List.of(minute), NOW);

		assertThat(this.redis.getExpire(this.prefix + "done:r1").block(WAIT)).isPositive()
			.isLessThanOrEqualTo(REMEMBER);
	}

	@Test
	void reserveWhenReleasedByAnotherReplicaFirstThenAddsNoKey() {
		QuotaWindow minute = window("alice:minute", 1_000);

		replica().settle("r1", Amount.tokens(100), Amount.tokens(0), List.of(minute), NOW, REMEMBER).block(WAIT);
		reserve("r1", 100, List.of(minute), NOW);

		assertThat(this.redis.hasKey(this.prefix + "alice:minute:r").block(WAIT)).isFalse();
	}

	@Test
	void settleWhenWindowEndedLongAgoThenLeavesNoKeys() {
		QuotaWindow minute = new QuotaWindow("alice:minute:1", 1_000, NOW.plusSeconds(60));

		settle("r1", 0, 500, List.of(minute), NOW.plus(Duration.ofMinutes(10)));

		assertThat(this.redis.hasKey(this.prefix + "alice:minute:1").block(WAIT)).isFalse();
	}

}
