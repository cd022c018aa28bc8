package io.aoaigateway.simulator;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every family of simulated endpoints shares: the settings, the clock, the
 * rate-limit counters, the deployments' capacities and the resource's own URL.
 *
 * @param settings the resource's settings
 * @param clock the clock for {@code created} timestamps and rate-limit windows
 * @param rateLimits the report-only rate-limit counters
 * @param capacities the capacity of every hosted deployment, by name
 * @param baseUrl the resource's URL, known once the server is bound
 */
record ResourceContext(SimulatorSettings settings, Clock clock, RateLimits rateLimits,
		Map<String, DeploymentCapacity> capacities, Supplier<URI> baseUrl) {

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

	/**
	 * Counts a call that was admitted on a deployment.
	 * @param deployment the deployment
	 * @param tokens the tokens it used
	 * @param admitted the headers of its admission, from {@link #admit}
	 * @return the {@code x-ratelimit-*} headers for the answer: the capacity's for the
	 * limited dimensions, the report-only counters' for the others
	 */
	Map<String, String> charge(String deployment, long tokens, Map<String, String> admitted) {
		Map<String, String> headers = new LinkedHashMap<>(this.rateLimits.charge(deployment, tokens));
		headers.putAll(admitted);
		return headers;
	}

	/**
	 * Admits an inference call against its deployment's capacity, before anything is
	 * generated, as Azure checks its limits on arrival.
	 * @param request the call
	 * @param deployment the deployment it runs on
	 * @param estimatedTokens its tokens as {@link Capacity#estimate} counts them
	 * @return the {@code x-ratelimit-*} headers of the limited dimensions, empty without
	 * limits
	 * @throws Rejection with Azure's 429 when the deployment is over capacity or
	 * throttled
	 */
	Map<String, String> admit(RecordedRequest request, String deployment, long estimatedTokens) {
		DeploymentCapacity capacity = this.capacities.get(deployment);
		if (capacity == null) {
			return Map.of();
		}
		DeploymentCapacity.Decision decision = capacity.admit(estimatedTokens);
		if (!decision.admitted()) {
			throw new Rejection(
					AzureErrors.throttled(Duration.ofMillis(decision.retryAfterMillis()), request, decision.callLimit())
						.withHeaders(decision.headers()));
		}
		return decision.headers();
	}

	String words(int count) {
		return String.join(" ", TextGeneration.words(count, this.settings.name()));
	}

}
