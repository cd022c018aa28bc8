package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The contract on the Redis store, plus what only a shared store must do: several
 * replicas on their own connections, and keys that Redis forgets by itself. Each test
 * uses its own key prefix and deletes its keys afterwards.
 */
abstract class RedisAffinityStoreContractTests extends AffinityStoreContractTests {

	final String prefix = "aoai-test:affinity:" + UUID.randomUUID() + ":";

	private RedisFixtures.Connections connections;

	private RedisAffinityStore store;

	private ReactiveStringRedisTemplate redis;

	/**
	 * @return the Redis to test against
	 */
	protected abstract String redisUrl();

	@BeforeEach
	void connect() {
		this.connections = new RedisFixtures.Connections(redisUrl());
		this.redis = this.connections.template();
		this.store = new RedisAffinityStore(this.redis, this.prefix, Duration.ofSeconds(5));
	}

	@AfterEach
	void deleteKeysAndDisconnect() {
		this.connections.close(this.prefix);
	}

	@Override
	protected AffinityStore store() {
		return this.store;
	}

	/**
	 * @return another replica: a store on its own connection, sharing the keys
	 */
	RedisAffinityStore replica() {
		return new RedisAffinityStore(this.connections.open(), this.prefix, Duration.ofSeconds(5));
	}

	@Test
	void ownersWhenOtherReplicaRememberedThenSeesItAndTheOtherWay() {
		RedisAffinityStore other = replica();

		other.remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW).block(WAIT);
		remember(FILE, BOB_IN_FRANCE, TTL, NOW);

		assertThat(owners(List.of(THREAD, FILE), NOW)).containsOnly(entry(THREAD, ALICE_IN_SWEDEN),
				entry(FILE, BOB_IN_FRANCE));
		assertThat(other.owners(List.of(THREAD, FILE), NOW).block(WAIT)).containsOnly(entry(THREAD, ALICE_IN_SWEDEN),
				entry(FILE, BOB_IN_FRANCE));
	}

	@Test
	void rememberWhenStoredThenKeyExpiresAfterTheTtl() {
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofMillis(90_500), NOW);

		Long pttl = this.redis
			.execute((connection) -> connection.keyCommands()
				.pTtl(this.redis.getSerializationContext().getKeySerializationPair().write(this.prefix + THREAD)))
			.single()
			.block(WAIT);

		assertThat(pttl).isBetween(85_000L, 90_500L);
	}

	@Test
	void rememberWhenStoredThenKeyHoldsTheOwnerAndDeadline() {
		remember(THREAD, BOB_IN_FRANCE, TTL, NOW);

		assertThat(this.redis.opsForValue().get(this.prefix + THREAD).block(WAIT)).isEqualTo("["
				+ NOW.plus(TTL).toEpochMilli() + ",\"francecentral\",\"b0b00000-0000-4000-8000-000000000b0b\",null]");
	}

	@Test
	void ownersWhenValueUndecodableThenTreatsItAsUnknown() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);
		List<String> junk = List.of("not json", "", "[]", "{\"backend\":\"swedencentral\"}", "[1,\"a\",\"b\"]",
				"[\"1\",\"a\",\"b\",null]", "[1,\"a\",null,null]", "[1,\"a\",\"b\",2]", "[1.5,\"a\",\"b\",null]",
				"[99999999999999999999,\"a\",\"b\",null]");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < junk.size(); i++) {
			ids.add("junk_" + i);
			this.redis.opsForValue().set(this.prefix + "junk_" + i, junk.get(i)).block(WAIT);
		}
		ids.add(THREAD);

		assertThat(owners(ids, NOW)).containsExactly(entry(THREAD, ALICE_IN_SWEDEN));
	}

}
