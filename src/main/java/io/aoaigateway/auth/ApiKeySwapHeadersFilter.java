package io.aoaigateway.auth;

import java.util.List;

import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.support.GatewayAttributes;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Removes the caller's credentials from the upstream request and adds the chosen
 * backend's key. Runs on every attempt, since each attempt may go to another backend.
 */
final class ApiKeySwapHeadersFilter implements HttpHeadersFilter {

	// Azure OpenAI uses "api-key" instead of "Authorization: Bearer".
	static final String API_KEY = "api-key";

	private static final List<String> CALLER_CREDENTIALS = List.of(HttpHeaders.AUTHORIZATION,
			HttpHeaders.PROXY_AUTHORIZATION, HttpHeaders.COOKIE, API_KEY);

	@Override
	public boolean supports(Type type) {
		return type == Type.REQUEST;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		BackendDeployment selected = exchange.getRequiredAttribute(GatewayAttributes.SELECTED_BACKEND);
		HttpHeaders output = new HttpHeaders();
		output.putAll(input);
		CALLER_CREDENTIALS.forEach(output::remove);
		output.set(API_KEY, selected.backend().apiKey().value());
		return output;
	}

}
