package io.aoaigateway;

import java.time.Clock;
import java.util.Set;
import java.util.function.Supplier;

import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.SimulatorSettings;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Two simulated Azure OpenAI resources and a token issuer, started once per test JVM and
 * shared by every gateway context: {@code sim-a} (priority 0, the stateful backend) and
 * {@code sim-b} (priority 1, hosting {@code gpt-4o} and {@code gpt-4o-mini} under other
 * names).
 */
public final class GatewayFixtures {

	public static final String KEY_A = "key-of-sim-a";

	public static final String KEY_B = "key-of-sim-b";

	public static final AzureOpenAiSimulator SIM_A = AzureOpenAiSimulator.start(SimulatorSettings
		.defaults("sim-a", KEY_A,
				Set.of("gpt-4o", "text-embedding-3-small", "whisper", "tts", "dall-e-3", "gpt-5-pool"))
		.withStreamChunks(4));

	public static final AzureOpenAiSimulator SIM_B = AzureOpenAiSimulator
		.start(SimulatorSettings.defaults("sim-b", KEY_B, Set.of("gpt-4o-eu", "mini-eu", "gpt-5-pool"))
			.withStreamChunks(4)
			.withRegion("westeurope"));

	public static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, Clock.systemUTC());

	private GatewayFixtures() {
	}

	/**
	 * Points a gateway at the shared simulators and issuer.
	 * @param registry the test's property registry
	 */
	public static void register(DynamicPropertyRegistry registry) {
		registry.add("aoai.affinity.backends[0]", () -> "sim-a");
		registry.add("aoai.routing.backends[0].name", () -> "sim-a");
		registry.add("aoai.routing.backends[0].url", () -> SIM_A.baseUrl().toString());
		registry.add("aoai.routing.backends[0].api-key", () -> KEY_A);
		registry.add("aoai.routing.backends[0].priority", () -> "0");
		registry.add("aoai.routing.backends[0].deployments",
				() -> "gpt-4o,text-embedding-3-small,whisper,tts,dall-e-3");
		registry.add("aoai.routing.backends[1].name", () -> "sim-b");
		registry.add("aoai.routing.backends[1].url", () -> SIM_B.baseUrl().toString());
		registry.add("aoai.routing.backends[1].api-key", () -> KEY_B);
		registry.add("aoai.routing.backends[1].priority", () -> "1");
		registry.add("aoai.routing.backends[1].deployments[0].name", () -> "gpt-4o");
		registry.add("aoai.routing.backends[1].deployments[0].alias", () -> "gpt-4o-eu");
		registry.add("aoai.routing.backends[1].deployments[1].name", () -> "gpt-4o-mini");
		registry.add("aoai.routing.backends[1].deployments[1].alias", () -> "mini-eu");
		registry.add("aoai.auth.jwk-set-uri", () -> ISSUER.jwkSetUri().toString());
		registry.add("aoai.auth.issuers", ISSUER::issuer);
		registry.add("aoai.auth.audiences", () -> LocalTokenIssuer.AUDIENCE);
		registry.add("aoai.auth.allowed-tenants", () -> LocalTokenIssuer.TENANT);
		// The gateway reads runs and background responses again once they are due; the
		// tests of that say when, the others expect only their own calls on a backend.
		registry.add("aoai.quota.settlement.first-read", () -> "1h");
	}

	/**
	 * Points a gateway at the shared simulators and issuer, both simulators serving
	 * stateful APIs, with {@code gpt-4o-eu} a deployment of both (a stateful call sends
	 * its model as is).
	 * @param registry the test's property registry
	 */
	public static void registerStateful(DynamicPropertyRegistry registry) {
		register(registry);
		registry.add("aoai.affinity.backends", () -> "sim-a,sim-b");
		registry.add("aoai.routing.backends[1].deployments[2].name", () -> "gpt-4o-eu");
	}

	/**
	 * Adds a backend of a test's own after the shared simulators, with the key
	 * {@code key-of-<name>}.
	 * @param registry the test's property registry
	 * @param index its place in {@code aoai.routing.backends}, 2 or more
	 * @param name its name
	 * @param url where it listens, read when the context starts
	 * @param deployments the deployments it serves, comma-separated
	 */
	public static void addBackend(DynamicPropertyRegistry registry, int index, String name, Supplier<Object> url,
			String deployments) {
		String backend = "aoai.routing.backends[" + index + "].";
		registry.add(backend + "name", () -> name);
		registry.add(backend + "url", url);
		registry.add(backend + "api-key", () -> "key-of-" + name);
		registry.add(backend + "deployments", () -> deployments);
	}

	/**
	 * Forgets scripted answers, recorded requests and created objects on both simulators.
	 */
	public static void reset() {
		SIM_A.reset();
		SIM_B.reset();
	}

}
