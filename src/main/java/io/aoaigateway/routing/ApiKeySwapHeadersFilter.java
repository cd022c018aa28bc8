package io.aoaigateway.routing;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Removes every credential the caller sent from the upstream request and adds the chosen
 * backend's own: its key, or its Entra ID token. Runs on every attempt, since each
 * attempt may go to another backend.
 * <p>
 * The caller's own credentials mean nothing to a backend, and some would be honoured by
 * one: a client library aimed at Azure OpenAI, API Management or another provider may
 * send its key in any of these headers, and an App Service or Functions backend trusts
 * the identity headers its platform normally sets.
 */
final class ApiKeySwapHeadersFilter implements HttpHeadersFilter {

	static final String API_KEY = "api-key";

	/** Credential headers removed by name (in any case). */
	static final Set<String> CALLER_CREDENTIALS = caseInsensitive(
			// The caller's Entra token, a proxy's credentials and any session.
			"authorization", "proxy-authorization", "cookie",
			// Azure OpenAI's key, and the x-api-key of OpenAI-compatible and other SDKs.
			API_KEY, "x-api-key",
			// API Management: the subscription key, and the headers that ask for a
			// request trace (which exposes the backend's configuration).
			"ocp-apim-subscription-key", "ocp-apim-trace", "apim-debug-authorization",
			// Azure Resource Manager's tokens for other tenants; Azure Functions' keys.
			"x-ms-authorization-auxiliary", "x-functions-key");

	/**
	 * Headers that App Service authentication sets for the apps behind it (the caller's
	 * principal, its tokens): removed by prefix, so that no caller can claim them.
	 */
	static final List<String> CALLER_CREDENTIAL_PREFIXES = List.of("x-ms-client-principal", "x-ms-token-");

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		BackendDeployment selected = call.attempts().current();
		if (selected == null) {
			throw new IllegalStateException("No backend was chosen for this attempt");
		}
		HttpHeaders output = new HttpHeaders();
		input.forEach((name, values) -> {
			if (!isCallerCredential(name)) {
				output.put(name, values);
			}
		});
		selected.backend().credential().writeTo(output);
		return output;
	}

	static boolean isCallerCredential(String name) {
		if (CALLER_CREDENTIALS.contains(name)) {
			return true;
		}
		for (String prefix : CALLER_CREDENTIAL_PREFIXES) {
			if (name.regionMatches(true, 0, prefix, 0, prefix.length())) {
				return true;
			}
		}
		return false;
	}

	private static Set<String> caseInsensitive(String... names) {
		Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		set.addAll(List.of(names));
		return Collections.unmodifiableSet(set);
	}

}
