package io.aoaigateway.routing;

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
 */
public record RouteTarget(ApiFamily family, ApiOperation operation, @Nullable String deployment,
		DeploymentSource source, Candidates candidates) {

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
