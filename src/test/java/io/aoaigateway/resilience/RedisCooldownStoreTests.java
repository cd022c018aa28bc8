package io.aoaigateway.resilience;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Redis store against the local Redis ({@code REDIS_URL}), and against no Redis at
 * all.
 */
class RedisCooldownStoreTests extends RedisCooldownStoreContractTests {

	@Override
	protected String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

	@Test
	void everyOperationWhenConnectionRefusedThenFailsWithinTheTimeout() throws IOException {
		RedisFixtures.assertFailWhenRedisIsDown(
				(redis, timeout) -> operations(new RedisCooldownStore(redis, this.prefix, timeout)));
	}

	@Test
	void everyOperationWhenRedisNeverAnswersThenTimesOut() throws IOException {
		RedisFixtures.assertTimeOutWhenRedisHangs(
				(redis, timeout) -> operations(new RedisCooldownStore(redis, this.prefix, timeout)));
	}

	private static List<Mono<?>> operations(CooldownStore store) {
		return List.of(store.coolDown(SWEDEN, NOW.plusSeconds(30), NOW), store.cooling(List.of(SWEDEN, FRANCE), NOW));
	}

}
