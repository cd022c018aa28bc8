package io.aoaigateway.affinity;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The Redis store against the local Redis ({@code REDIS_URL}), and against no Redis at
 * all.
 */
class RedisAffinityStoreTests extends RedisAffinityStoreContractTests {

	@Override
	protected String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

	@Test
	void everyOperationWhenConnectionRefusedThenFailsWithinTheTimeout() throws IOException {
		RedisFixtures.assertFailWhenRedisIsDown(
				(redis, timeout) -> operations(new RedisAffinityStore(redis, this.prefix, timeout)));
	}

	@Test
	void everyOperationWhenRedisNeverAnswersThenTimesOut() throws IOException {
		RedisFixtures.assertTimeOutWhenRedisHangs(
				(redis, timeout) -> operations(new RedisAffinityStore(redis, this.prefix, timeout)));
	}

	@Test
	void ownersWhenNoIdsAskedAndRedisDownThenAnswersEmptyWithoutCallingIt() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		LettuceConnectionFactory factory = RedisFixtures.connect("redis://127.0.0.1:" + port);
		try {
			RedisAffinityStore down = new RedisAffinityStore(new ReactiveStringRedisTemplate(factory), this.prefix,
					Duration.ofSeconds(1));

			StepVerifier.create(down.owners(List.of(), NOW))
				.expectNext(Map.of())
				.expectComplete()
				.verify(Duration.ofSeconds(5));
		}
		finally {
			factory.destroy();
		}
	}

	private static List<Mono<?>> operations(AffinityStore store) {
		return List.of(store.remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW),
				store.owners(List.of(THREAD, FILE, THREAD), NOW));
	}

}
