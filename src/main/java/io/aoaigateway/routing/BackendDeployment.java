package io.aoaigateway.routing;

/**
 * A deployment as hosted by one backend: where to send a call for it, and under which
 * name.
 *
 * @param backend the resource that hosts it
 * @param azureName the deployment's name on that resource
 */
public record BackendDeployment(Backend backend, String azureName) {

}
