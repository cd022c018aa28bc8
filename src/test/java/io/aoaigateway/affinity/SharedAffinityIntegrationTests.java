package io.aoaigateway.affinity;

import io.aoaigateway.RedisFixtures;

/**
 * Two replicas on the machine's Redis ({@code REDIS_URL}, by default the local one that
 * {@code .ci/run} starts).
 */
class SharedAffinityIntegrationTests extends SharedAffinityContract {

	@Override
	String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

}
