package io.aoaigateway.resilience;

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
import static org.assertj.core.api.Assertions.entry;

/**
 * The contract on the Redis store, plus what only a shared store must do: several
 * replicas on their own connections, and keys that Redis forgets by itself. Each test
 * uses its own key prefix and deletes its keys afterwards.
 */
abstract class RedisCooldownStoreContractTests extends CooldownStoreContractTests {

	final String prefix = "aoai-test:cooldown:" + UUID.randomUUID() + ":";

	private RedisFixtures.Connections connections;

	private RedisCooldownStore store;

	private ReactiveStringRedisTemplate redis;

	/**
	 * @return the Redis to test against
	 */
	protected abstract String redisUrl();

	@BeforeEach
	void connect() {
		this.connections = new RedisFixtures.Connections(redisUrl());
		this.redis = this.connections.template();
		this.store = new RedisCooldownStore(this.redis, this.prefix, Duration.ofSeconds(5));
	}

	@AfterEach
	void deleteKeysAndDisconnect() {
		this.connections.close(this.prefix);
	}

	@Override
	protected CooldownStore store() {
		return this.store;
	}

	/**
	 * @return another replica: a store on its own connection, sharing the keys
	 */
	RedisCooldownStore replica() {
		return new RedisCooldownStore(this.connections.open(), this.prefix, Duration.ofSeconds(5));
	}

	@Test
	void coolingWhenOtherReplicaCooledDownThenSeesIt() {
		RedisCooldownStore other = replica();
		Instant until = NOW.plusSeconds(30);

		other.coolDown(SWEDEN, until, NOW).block(WAIT);

		assertThat(cooling(List.of(SWEDEN), NOW)).containsExactly(entry(SWEDEN, until));
		Instant later = NOW.plusSeconds(90);
		coolDown(SWEDEN, later, NOW.plusSeconds(1));
		other.coolDown(SWEDEN, NOW.plusSeconds(40), NOW.plusSeconds(2)).block(WAIT);
		assertThat(other.cooling(List.of(SWEDEN), NOW.plusSeconds(2)).block(WAIT))
			.containsExactly(entry(SWEDEN, later));
	}

	@Test
	void coolDownWhenReplicasRaceWithFiftyCallsInFlightThenTheLatestWins() {
		List<RedisCooldownStore> replicas = List.of(this.store, replica());
		List<Mono<Void>> calls = new ArrayList<>();
		for (int i = 1; i <= 50; i++) {
			// 37 and 50 are coprime: every deadline from 1 to 50 s once, out of order
			int seconds = (i * 37) % 50 + 1;
			calls.add(replicas.get(i % 2).coolDown(SWEDEN, NOW.plusSeconds(seconds), NOW));
		}

		Flux.merge(calls).then().block(WAIT);

		assertThat(cooling(List.of(SWEDEN), NOW)).containsExactly(entry(SWEDEN, NOW.plusSeconds(50)));
	}

	@Test
	void coolDownWhenStoredThenKeyHoldsTheDeadlineAndExpiresAtIt() {
		Instant until = NOW.plusSeconds(90);

		coolDown(SWEDEN, until, NOW);

		String key = this.prefix + SWEDEN;
		assertThat(this.redis.opsForValue().get(key).block(WAIT)).isEqualTo(Long.toString(until.toEpochMilli()));
		assertThat(this.redis.getExpire(key).block(WAIT)).isBetween(Duration.ofSeconds(85), Duration.ofSeconds(90));
	}

	@Test
	void coolDownWhenShorterThanCurrentThenKeepsTheKeysExpiry() {
		coolDown(SWEDEN, NOW.plusSeconds(90), NOW);

		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);

		assertThat(this.redis.getExpire(this.prefix + SWEDEN).block(WAIT)).isBetween(Duration.ofSeconds(85),
				Duration.ofSeconds(90));
	}

	@Test
	void coolDownWhenDeadlineAlreadyPassedThenWritesNoKey() {
		coolDown(SWEDEN, NOW.minusSeconds(1), NOW);
		coolDown(FRANCE, NOW, NOW);

		assertThat(this.redis.hasKey(this.prefix + SWEDEN).block(WAIT)).isFalse();
		assertThat(this.redis.hasKey(this.prefix + FRANCE).block(WAIT)).isFalse();
	}

	@Test
	void coolingWhenValueIsNoDeadlineThenIgnoresIt() {
		this.redis.opsForValue().set(this.prefix + SWEDEN, "not a number").block(WAIT);

		assertThat(cooling(List.of(SWEDEN), NOW)).isEmpty();
	}

}
