package io.aoaigateway.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.aoaigateway.identity.BackendCredentials;

/**
 * The configured Azure OpenAI resources, indexed by the deployments they host.
 */
public final class BackendPool {

	private final List<Backend> backends;

	private final Map<String, Candidates> candidates;

	private final Candidates stateful;

	/**
	 * @param properties the pool's configuration
	 * @param credentials the backends' credentials
	 */
	public BackendPool(RoutingProperties properties, BackendCredentials credentials) {
		Map<String, Backend> backendsByName = new LinkedHashMap<>();
		Map<String, List<BackendDeployment>> byDeployment = new LinkedHashMap<>();
		for (RoutingProperties.Backend config : properties.backends()) {
			Backend backend = Backend.of(config, credentials);
			backendsByName.put(backend.name(), backend);
			for (RoutingProperties.Deployment deployment : config.deployments()) {
				byDeployment.computeIfAbsent(deployment.name(), (name) -> new ArrayList<>())
					.add(new BackendDeployment(backend, deployment.azureName()));
			}
		}
		this.backends = List.copyOf(backendsByName.values());
		Map<String, Candidates> candidates = new LinkedHashMap<>();
		byDeployment.forEach(
				(name, hosts) -> candidates.put(name, new Candidates(hosts, Candidates.Order.PRIORITY_WEIGHT, false)));
		this.candidates = Map.copyOf(candidates);
		List<BackendDeployment> byPriority = this.backends.stream()
			.sorted(Comparator.comparingInt(Backend::priority))
			.map((backend) -> new BackendDeployment(backend, ""))
			.toList();
		this.stateful = new Candidates(byPriority, Candidates.Order.FIXED, true);
	}

	/**
	 * Where a deployment can be served, and how to choose.
	 * @param deployment the name callers use
	 * @return the backends hosting it, empty if none does
	 */
	Optional<Candidates> candidates(String deployment) {
		return Optional.ofNullable(this.candidates.get(deployment));
	}

	/**
	 * Where a call that names no deployment goes until affinity places it: the pool, by
	 * priority, the first only.
	 * @return the candidates
	 */
	Candidates stateful() {
		return this.stateful;
	}

	public List<Backend> backends() {
		return this.backends;
	}

}
