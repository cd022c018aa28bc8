package io.aoaigateway.routing;

import java.util.List;

/**
 * Where a call on stateful objects may go, as affinity decided: its backends in the order
 * to try them.
 *
 * @param order the backends, the preferred first
 * @param pinned whether only the first may serve it (it works on an object that lives
 * there)
 */
public record Placement(List<Backend> order, boolean pinned) {

	public Placement {
		order = List.copyOf(order);
		if (order.isEmpty()) {
			throw new IllegalArgumentException("A placement names at least one backend");
		}
	}

}
