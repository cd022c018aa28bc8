package io.aoaigateway.identity;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness as far as backend credentials go: out of service while no backend can be
 * called (at startup, until the first tokens arrive; later, only when every backend's
 * token expired or was refused). Details name each identity's token state, never the
 * token.
 */
final class BackendCredentialsHealthIndicator implements HealthIndicator {

	private final BackendCredentials credentials;

	BackendCredentialsHealthIndicator(BackendCredentials credentials) {
		this.credentials = credentials;
	}

	@Override
	public Health health() {
		Health.Builder health = this.credentials.anyUsable() ? Health.up() : Health.outOfService();
		Map<String, Object> tokens = new LinkedHashMap<>();
		for (EntraToken token : this.credentials.used()) {
			tokens.put(token.name(), token.details());
		}
		return health.withDetail("tokens", tokens).build();
	}

}
