package io.aoaigateway.resilience;

import io.aoaigateway.RedisFixtures;

/**
 * Two replicas on the machine's Redis ({@code REDIS_URL}, by default the local one that
 * {@code .ci/run} starts).
 */
class SharedCooldownIntegrationTests extends SharedCooldownContract {

	@Override
	String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

}
