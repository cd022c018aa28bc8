package io.aoaigateway.routing;

import java.util.List;

/**
 * The backends that may serve one call, and how to choose among them.
 *
 * @param backends the backends, the preferred first when {@code order} is
 * {@link Order#FIXED}
 * @param order how the next backend is chosen
 * @param pinned whether the call must stay on its first choice: it works on an object
 * that lives there, so it may be asked again, never replaced
 */
public record Candidates(List<BackendDeployment> backends, Order order, boolean pinned) {

	public Candidates {
		backends = List.copyOf(backends);
	}

	/** How the next backend is chosen among those not excluded. */
	public enum Order {

		/** The lowest priority value first, then at random by weight. */
		PRIORITY_WEIGHT,

		/** In the given order. */
		FIXED

	}

}
