package io.aoaigateway.affinity;

import com.redis.testcontainers.RedisContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Two replicas on a Redis in a container: the twin of
 * {@link SharedAffinityIntegrationTests} for machines with Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class SharedAffinityContainerIntegrationTests extends SharedAffinityContract {

	@Container
	static final RedisContainer REDIS = new RedisContainer(RedisContainer.DEFAULT_IMAGE_NAME.withTag("7.4"));

	@Override
	String redisUrl() {
		return REDIS.getRedisURI();
	}

}
