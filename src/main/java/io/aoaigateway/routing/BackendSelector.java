package io.aoaigateway.routing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Picks the backend for one attempt among the candidates not excluded: in the given order
 * for {@link Candidates.Order#FIXED}; else the lowest priority value, then weighted
 * random within that priority.
 */
public final class BackendSelector implements BackendSelection {

	private final RandomGenerator random;

	public BackendSelector(RandomGenerator random) {
		this.random = random;
	}

	@Override
	public Optional<BackendDeployment> next(Candidates candidates, Set<String> excluded) {
		if (candidates.order() == Candidates.Order.FIXED) {
			for (BackendDeployment candidate : candidates.backends()) {
				if (!excluded.contains(candidate.backend().name())) {
					return Optional.of(candidate);
				}
			}
			return Optional.empty();
		}
		return select(candidates.backends(), excluded);
	}

	/**
	 * Chooses by priority and weight among the candidates not yet tried.
	 * @param candidates the backends hosting the deployment
	 * @param excluded names of backends not to choose, e.g. those already tried
	 * @return the choice, empty when every candidate is excluded
	 */
	public Optional<BackendDeployment> select(List<BackendDeployment> candidates, Set<String> excluded) {
		int bestPriority = Integer.MAX_VALUE;
		int totalWeight = 0;
		for (BackendDeployment candidate : candidates) {
			Backend backend = candidate.backend();
			if (excluded.contains(backend.name())) {
				continue;
			}
			if (backend.priority() < bestPriority) {
				bestPriority = backend.priority();
				totalWeight = 0;
			}
			if (backend.priority() == bestPriority) {
				totalWeight += backend.weight();
			}
		}
		if (totalWeight == 0) {
			return Optional.empty();
		}
		int ticket = this.random.nextInt(totalWeight);
		for (BackendDeployment candidate : candidates) {
			Backend backend = candidate.backend();
			if (excluded.contains(backend.name()) || backend.priority() != bestPriority) {
				continue;
			}
			ticket -= backend.weight();
			if (ticket < 0) {
				return Optional.of(candidate);
			}
		}
		throw new IllegalStateException("weights changed during selection");
	}

}
