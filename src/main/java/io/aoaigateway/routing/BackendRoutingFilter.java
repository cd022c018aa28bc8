package io.aoaigateway.routing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Points the request at the backend failover chose for the current attempt: the URL (with
 * the deployment's name on that backend, and without any credential the caller put in the
 * query) that {@code NettyRoutingFilter} calls. Runs once per attempt.
 */
final class BackendRoutingFilter implements GlobalFilter, Ordered {

	// After RouteToRequestUrlFilter, whose URL (the route's placeholder) this one
	// replaces.
	static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

	private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";

	private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("subscription-key", "api-key");

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		RouteTarget target = call.target();
		BackendDeployment selected = call.attempts().current();
		if (target == null || selected == null) {
			return GatewayErrors.write(exchange,
					AzureError.of(HttpStatus.SERVICE_UNAVAILABLE, "No backend is available for this call."));
		}
		exchange.getAttributes()
			.put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, backendUrl(exchange.getRequest(), target, selected));
		return chain.filter(exchange);
	}

	static URI backendUrl(ServerHttpRequest request, RouteTarget target, BackendDeployment selected) {
		String path = request.getURI().getRawPath();
		if (target.source() == DeploymentSource.PATH && target.deployment() != null
				&& !target.deployment().equals(selected.azureName()) && path.startsWith(DEPLOYMENTS_PREFIX)) {
			// The raw segment may be percent-encoded, so find its end rather than
			// trusting its decoded length.
			int end = path.indexOf('/', DEPLOYMENTS_PREFIX.length());
			path = DEPLOYMENTS_PREFIX + selected.azureName() + ((end < 0) ? "" : path.substring(end));
		}
		StringBuilder url = new StringBuilder(selected.backend().url().toString()).append(path);
		String query = withoutCredentials(request.getURI().getRawQuery());
		if (query != null) {
			url.append('?').append(query);
		}
		return URI.create(url.toString());
	}

	// APIM takes its key as ?subscription-key=, and some clients put api-key in the query
	// too: a caller's credential never reaches Azure, wherever the caller put it.
	static @Nullable String withoutCredentials(@Nullable String rawQuery) {
		if (rawQuery == null) {
			return null;
		}
		StringJoiner kept = new StringJoiner("&");
		for (String parameter : rawQuery.split("&")) {
			if (!CREDENTIAL_PARAMETERS.contains(parameterName(parameter))) {
				kept.add(parameter);
			}
		}
		return (kept.length() == 0) ? null : kept.toString();
	}

	private static String parameterName(String parameter) {
		int equals = parameter.indexOf('=');
		String raw = (equals < 0) ? parameter : parameter.substring(0, equals);
		String name;
		try {
			name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			// A malformed escape: compare it as written.
			name = raw;
		}
		return name.trim().toLowerCase(Locale.ROOT);
	}

}
