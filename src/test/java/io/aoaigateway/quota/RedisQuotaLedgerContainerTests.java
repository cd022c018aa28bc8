package io.aoaigateway.quota;

import com.redis.testcontainers.RedisContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The Redis ledger against a Redis in Docker: the same tests as
 * {@link RedisQuotaLedgerTests} where no local Redis runs. Skipped without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class RedisQuotaLedgerContainerTests extends RedisQuotaLedgerContractTests {

	@Container
	static final RedisContainer REDIS = new RedisContainer(RedisContainer.DEFAULT_IMAGE_NAME.withTag("7.0"));

	@Override
	protected String redisUrl() {
		return "redis://" + REDIS.getRedisHost() + ":" + REDIS.getRedisPort();
	}

}
