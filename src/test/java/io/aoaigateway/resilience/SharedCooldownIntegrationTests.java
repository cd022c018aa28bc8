package io.aoaigateway.resilience;

/**
 * Two replicas on the machine's Redis ({@code REDIS_URL}, by default the local one that
 * {@code .ci/run} starts).
 */
class SharedCooldownIntegrationTests extends SharedCooldownContract {

	@Override
	String redisUrl() {
		String url = System.getenv("REDIS_URL");
		return (url != null && !url.isBlank()) ? url : "redis://127.0.0.1:6379";
	}

}
