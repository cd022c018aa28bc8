package io.aoaigateway.support;

/**
 * Keys of the exchange attributes that the gateway's filters hand to each other.
 */
public final class GatewayAttributes {

	private static final String PREFIX = "aoai.gateway.";

	/** The authenticated caller, a {@code CallerIdentity}. */
	public static final String CALLER = PREFIX + "caller";

	/** The request body of a JSON call, read once and replayable, a {@code byte[]}. */
	public static final String REQUEST_BODY = PREFIX + "requestBody";

	/**
	 * What the route resolved the call to: the deployment and the backends that may serve
	 * it.
	 */
	public static final String ROUTE_TARGET = PREFIX + "routeTarget";

	/** The backend chosen for the current attempt. */
	public static final String SELECTED_BACKEND = PREFIX + "selectedBackend";

	/** Names of the backends already tried for this call, a {@code Set<String>}. */
	public static final String ATTEMPTED_BACKENDS = PREFIX + "attemptedBackends";

	/**
	 * Names of backends not to choose for the next attempt (cooling down, circuit open,
	 * out of capacity), a {@code Set<String>}; set by failover.
	 */
	public static final String UNAVAILABLE_BACKENDS = PREFIX + "unavailableBackends";

	/**
	 * Nanoseconds spent waiting for backends (to their response headers, all attempts),
	 * an {@code AtomicLong}; what the gateway's overhead excludes.
	 */
	public static final String BACKEND_NANOS = PREFIX + "backendNanos";

	/** What the response tells of the call's token usage, a {@code MeteredCall}. */
	public static final String METERED_CALL = PREFIX + "meteredCall";

	private GatewayAttributes() {
	}

}
