package io.aoaigateway.affinity;

import java.net.URI;
import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.routing.ApiKey;
import io.aoaigateway.routing.Backend;
import org.jspecify.annotations.Nullable;

/**
 * Callers and backends for the unit tests of affinity's decisions.
 */
final class AffinityFixtures {

	static final Backend SIM_A = backend("sim-a", "http://127.0.0.1:1");

	static final Backend SIM_B = backend("sim-b", "http://127.0.0.1:2");

	static final Backend SIM_C = backend("sim-c", "http://127.0.0.1:3");

	static final List<Backend> THREE = List.of(SIM_A, SIM_B, SIM_C);

	private AffinityFixtures() {
	}

	static Backend backend(String name, String url) {
		return new Backend(name, URI.create(url), new ApiKey("key-of-" + name), 0, 1);
	}

	static CallerIdentity caller(String id, @Nullable String app) {
		return new CallerIdentity(id, id, "tenant", app, null, List.of(), List.of());
	}

}
