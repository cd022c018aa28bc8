package io.aoaigateway.simulator;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every family of simulated endpoints shares: the settings, the clock, the
 * rate-limit counters and the resource's own URL.
 *
 * @param settings the resource's settings
 * @param clock the clock for {@code created} timestamps and rate-limit windows
 * @param rateLimits the rate-limit counters
 * @param baseUrl the resource's URL, known once the server is bound
 */
record ResourceContext(SimulatorSettings settings, Clock clock, RateLimits rateLimits, Supplier<URI> baseUrl) {

	/**
	 * @return the current time in epoch seconds, as Azure writes {@code created}
	 */
	long now() {
		return this.clock.millis() / 1000;
	}

	boolean hosts(String deployment) {
		return this.settings.deployments().contains(deployment);
	}

	/**
	 * @param deployment a deployment name from a path or a body
	 * @throws Rejection with Azure's 404 when the resource has no such deployment
	 */
	void requireDeployment(String deployment) {
		if (!hosts(deployment)) {
			throw new Rejection(AzureErrors.deploymentNotFound());
		}
	}

	/**
	 * Counts a call on a deployment.
	 * @param deployment the deployment
	 * @param tokens the tokens it used
	 * @return the {@code x-ratelimit-*} headers for the answer
	 */
	Map<String, String> charge(String deployment, long tokens) {
		return this.rateLimits.charge(deployment, tokens);
	}

	String words(int count) {
		return String.join(" ", TextGeneration.words(count, this.settings.name()));
	}

}
