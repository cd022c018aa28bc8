package io.aoaigateway.routing;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a call was resolved to by its route: the API family, the deployment and the
 * backends that may serve it.
 *
 * @param family the route family, e.g. {@code deployments} or {@code assistants}
 * @param deployment the deployment name the caller used, null for calls that name none
 * @param source where the caller named the deployment
 * @param candidates the backends that may serve the call, the preferred first
 * @param pinned whether the call must stay on its first candidate (it works on an object
 * that lives there): never sent to another backend
 */
public record RouteTarget(String family, @Nullable String deployment, DeploymentSource source,
		List<BackendDeployment> candidates, boolean pinned) {

	/**
	 * A target pinned when it names no deployment (stateful APIs).
	 * @param family the route family
	 * @param deployment the deployment the caller used
	 * @param source where the caller named it
	 * @param candidates the backends that may serve the call
	 */
	public RouteTarget(String family, @Nullable String deployment, DeploymentSource source,
			List<BackendDeployment> candidates) {
		this(family, deployment, source, candidates, source == DeploymentSource.NONE);
	}

	/** Where a call names its deployment. */
	public enum DeploymentSource {

		/** In the path: {@code /openai/deployments/{deployment}/…}. */
		PATH,

		/** In the JSON body's {@code model} field. */
		BODY,

		/** Nowhere: the call goes to the stateful backend. */
		NONE

	}

}
