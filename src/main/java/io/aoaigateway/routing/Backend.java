package io.aoaigateway.routing;

import java.net.URI;

import io.aoaigateway.identity.BackendCredential;
import io.aoaigateway.identity.BackendCredentials;

/**
 * One Azure OpenAI resource of the pool, as the request path sees it.
 *
 * @param name short id used in logs and metric tags
 * @param url resource endpoint without a trailing slash
 * @param credential what the gateway sends to be let in: an api-key or an Entra ID token
 * @param priority lower is tried first
 * @param weight share of traffic among backends of the same priority
 */
public record Backend(String name, URI url, BackendCredential credential, int priority, int weight) {

	static Backend of(RoutingProperties.Backend config, BackendCredentials credentials) {
		String url = config.url().toString();
		while (url.endsWith("/")) {
			url = url.substring(0, url.length() - 1);
		}
		BackendCredential credential = credentials.forBackend(config.name(), config.apiKey(), config.credential());
		return new Backend(config.name(), URI.create(url), credential, config.priority(), config.weight());
	}

	/**
	 * The address of a path on this resource, for the gateway's own calls to it.
	 * @param pathAndQuery an absolute path, with its query if any, already encoded
	 * @return the address
	 */
	public URI resolve(String pathAndQuery) {
		return URI.create(this.url + pathAndQuery);
	}

}
