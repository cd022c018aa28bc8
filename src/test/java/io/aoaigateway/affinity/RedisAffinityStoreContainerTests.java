package io.aoaigateway.affinity;

import com.redis.testcontainers.RedisContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The Redis store against a Redis in Docker: the same tests as
 * {@link RedisAffinityStoreTests} where no local Redis runs. Skipped without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class RedisAffinityStoreContainerTests extends RedisAffinityStoreContractTests {

	@Container
	static final RedisContainer REDIS = new RedisContainer(RedisContainer.DEFAULT_IMAGE_NAME.withTag("7.0"));

	@Override
	protected String redisUrl() {
		return "redis://" + REDIS.getRedisHost() + ":" + REDIS.getRedisPort();
	}

}
