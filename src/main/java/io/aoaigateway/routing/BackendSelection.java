package io.aoaigateway.routing;

import java.util.Optional;
import java.util.Set;

/**
 * The one place that decides which backend an attempt goes to, given the candidates, how
 * to order them, and which not to choose.
 */
@FunctionalInterface
public interface BackendSelection {

	/**
	 * Chooses the next backend.
	 * @param candidates the backends that may serve the call, and their order
	 * @param excluded names of backends not to choose (tried, cooling, open circuit…)
	 * @return the choice, empty when every candidate is excluded
	 */
	Optional<BackendDeployment> next(Candidates candidates, Set<String> excluded);

}
