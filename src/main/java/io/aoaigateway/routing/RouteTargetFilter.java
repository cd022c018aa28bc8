package io.aoaigateway.routing;

import java.util.List;
import java.util.Map;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Resolves a call to its {@link RouteTarget}: the deployment it names (in the path or the
 * body) and the backends that host it; answers 404 for a deployment nobody hosts.
 */
final class RouteTargetFilter implements GatewayFilter, Ordered {

	static final int ORDER = 0;

	private final String family;

	private final DeploymentSource source;

	private final BackendPool pool;

	RouteTargetFilter(String family, DeploymentSource source, BackendPool pool) {
		this.family = family;
		this.source = source;
		this.pool = pool;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return switch (this.source) {
			case NONE -> route(exchange, chain, null, List.of(new BackendDeployment(this.pool.statefulBackend(), "")));
			case PATH -> routeToDeployment(exchange, chain, deploymentFromPath(exchange));
			case BODY -> {
				byte[] body = exchange.getAttribute(GatewayAttributes.REQUEST_BODY);
				if (body == null) {
					yield GatewayErrors.write(exchange, AzureError
						.badRequest("This API expects a JSON body (Content-Type: application/json) naming the model."));
				}
				ModelField model;
				try {
					model = ModelField.read(body);
				}
				catch (IllegalArgumentException ex) {
					yield GatewayErrors.write(exchange, AzureError.badRequest(ex.getMessage()));
				}
				if (model.value() == null) {
					yield GatewayErrors.write(exchange,
							AzureError.badRequest("The request body must name the deployment in its 'model' field."));
				}
				yield routeToDeployment(exchange, chain, model.value());
			}
		};
	}

	private static String deploymentFromPath(ServerWebExchange exchange) {
		Map<String, String> variables = ServerWebExchangeUtils.getUriTemplateVariables(exchange);
		return variables.getOrDefault("deployment", "");
	}

	private Mono<Void> routeToDeployment(ServerWebExchange exchange, GatewayFilterChain chain, String deployment) {
		return this.pool.hosting(deployment)
			.map((candidates) -> route(exchange, chain, deployment, candidates))
			.orElseGet(() -> GatewayErrors.write(exchange, AzureError.deploymentNotFound(deployment)));
	}

	private Mono<Void> route(ServerWebExchange exchange, GatewayFilterChain chain,
			@org.jspecify.annotations.Nullable String deployment, List<BackendDeployment> candidates) {
		exchange.getAttributes()
			.put(GatewayAttributes.ROUTE_TARGET, new RouteTarget(this.family, deployment, this.source, candidates));
		return chain.filter(exchange);
	}

	@Override
	public String toString() {
		return "RouteTarget[" + this.family + ", deployment from " + this.source + "]";
	}

}
