package io.aoaigateway.routing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
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
 * Chooses the backend for the current attempt and points the request at it: the URL (with
 * the deployment's name on that backend) that {@code NettyRoutingFilter} calls. Runs once
 * per attempt, so a retry chooses again among the backends not yet tried.
 */
final class BackendRoutingFilter implements GlobalFilter, Ordered {

	// After RouteToRequestUrlFilter, whose URL (the route's placeholder) this one
	// replaces.
	static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

	private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";

	private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("subscription-key", "api-key");

	private final BackendSelector selector;

	BackendRoutingFilter(BackendSelector selector) {
		this.selector = selector;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		RouteTarget target = exchange.getAttribute(GatewayAttributes.ROUTE_TARGET);
		if (target == null) {
			return chain.filter(exchange);
		}
		Set<String> attempted = exchange.getAttribute(GatewayAttributes.ATTEMPTED_BACKENDS);
		if (attempted == null) {
			attempted = new LinkedHashSet<>();
			exchange.getAttributes().put(GatewayAttributes.ATTEMPTED_BACKENDS, attempted);
		}
		Set<String> unavailable = exchange.getAttribute(GatewayAttributes.UNAVAILABLE_BACKENDS);
		Set<String> excluded = attempted;
		if (unavailable != null && !unavailable.isEmpty()) {
			excluded = new HashSet<>(attempted);
			excluded.addAll(unavailable);
		}
		Optional<BackendDeployment> choice = this.selector.select(target.candidates(), excluded);
		if (choice.isEmpty()) {
			return GatewayErrors.write(exchange,
					AzureError.of(HttpStatus.SERVICE_UNAVAILABLE, "No backend is available for this call."));
		}
		BackendDeployment selected = choice.get();
		attempted.add(selected.backend().name());
		exchange.getAttributes().put(GatewayAttributes.SELECTED_BACKEND, selected);
		// A retry may land on a backend that uses another name: rewrite whenever aliases
		// are in play.
		if (target.source() == DeploymentSource.BODY && target.deployment() != null
				&& target.candidates().stream().anyMatch((c) -> !c.azureName().equals(target.deployment()))) {
			byte[] body = exchange.getRequiredAttribute(GatewayAttributes.REQUEST_BODY);
			exchange.getAttributes()
				.put(GatewayAttributes.REQUEST_BODY, ModelField.replace(body, selected.azureName()));
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
