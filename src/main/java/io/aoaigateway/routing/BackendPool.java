package io.aoaigateway.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The configured Azure OpenAI resources, indexed by the deployments they host.
 */
public final class BackendPool {

	private final List<Backend> backends;

	private final Map<String, List<BackendDeployment>> byDeployment;

	private final Backend statefulBackend;

	public BackendPool(RoutingProperties properties) {
		Map<String, Backend> backendsByName = new LinkedHashMap<>();
		Map<String, List<BackendDeployment>> byDeployment = new LinkedHashMap<>();
		for (RoutingProperties.Backend config : properties.backends()) {
			Backend backend = Backend.of(config);
			backendsByName.put(backend.name(), backend);
			for (RoutingProperties.Deployment deployment : config.deployments()) {
				byDeployment.computeIfAbsent(deployment.name(), (name) -> new ArrayList<>())
					.add(new BackendDeployment(backend, deployment.azureName()));
			}
		}
		this.backends = List.copyOf(backendsByName.values());
		this.byDeployment = Map.copyOf(byDeployment.entrySet()
			.stream()
			.collect(LinkedHashMap::new, (map, entry) -> map.put(entry.getKey(), List.copyOf(entry.getValue())),
					Map::putAll));
		this.statefulBackend = statefulBackend(properties.statefulBackend(), this.backends, backendsByName);
	}

	private static Backend statefulBackend(@Nullable String name, List<Backend> backends, Map<String, Backend> byName) {
		if (name != null) {
			Backend backend = byName.get(name);
			if (backend == null) {
				throw new IllegalArgumentException("aoai.routing.stateful-backend names no backend: " + name);
			}
			return backend;
		}
		return backends.stream().min(Comparator.comparingInt(Backend::priority)).orElseThrow();
	}

	/**
	 * Where a deployment can be served.
	 * @param deployment the name callers use
	 * @return the backends hosting it, empty if none does
	 */
	public Optional<List<BackendDeployment>> hosting(String deployment) {
		return Optional.ofNullable(this.byDeployment.get(deployment));
	}

	/**
	 * The backend for stateful objects when {@code aoai.affinity.backends} names none.
	 * @return the stateful backend
	 */
	public Backend statefulBackend() {
		return this.statefulBackend;
	}

	public List<Backend> backends() {
		return this.backends;
	}

}
