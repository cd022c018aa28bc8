package io.aoaigateway.routing;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a call was resolved to by its route, once: the API family, the operation, the
 * deployment and the backends that may serve it.
 *
 * @param family the route's API family
 * @param operation what the call does
 * @param deployment the deployment name the caller used, null for calls that name none
 * @param source where the caller named the deployment
 * @param candidates the backends that host the deployment; for calls that name none, the
 * pool in its configured order, until affinity places the call
 * @param bodyModel for a stateful call whose JSON body names a {@code model} that
 * backends of the pool host as a deployment: each such backend's name for it, by backend
 * name (a stateful create sends it to the backend it lands on); empty otherwise
 */
public record RouteTarget(ApiFamily family, ApiOperation operation, @Nullable String deployment,
		DeploymentSource source, Candidates candidates, Map<String, String> bodyModel) {

	public RouteTarget {
		bodyModel = Map.copyOf(bodyModel);
	}

	public RouteTarget(ApiFamily family, ApiOperation operation, @Nullable String deployment, DeploymentSource source,
			Candidates candidates) {
		this(family, operation, deployment, source, candidates, Map.of());
	}

	/**
	 * @return whether the call names no deployment and so works on stateful objects
	 */
	public boolean stateful() {
		return this.source == DeploymentSource.NONE;
	}

	/** Where a call names its deployment. */
	public enum DeploymentSource {

		/** In the path: {@code /openai/deployments/{deployment}/…}. */
		PATH,

		/** In the JSON body's {@code model} field. */
		BODY,

		/** Nowhere: the call works on stateful objects, placed by affinity. */
		NONE

	}

}
