package io.aoaigateway.quota;

import io.aoaigateway.RedisFixtures;

/**
 * Two replicas on the machine's Redis ({@code REDIS_URL}, by default the local one that
 * {@code .ci/run} starts).
 */
class SharedQuotaIntegrationTests extends SharedQuotaContract {

	@Override
	String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

}
