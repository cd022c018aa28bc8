package io.aoaigateway.routing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * Resolves a call to its {@link RouteTarget}, once: the family, the operation, the
 * deployment it names (in the path or the body) and the backends that host it; answers
 * 404 for a deployment nobody hosts. Calls that name no deployment get the pool's first
 * backend by priority until affinity places them.
 */
final class RouteTargetFilter implements GatewayFilter, Ordered {

	static final int ORDER = 0;

	private final ApiFamily family;

	private final DeploymentSource source;

	private final BackendPool pool;

	RouteTargetFilter(ApiFamily family, DeploymentSource source, BackendPool pool) {
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
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		return switch (this.source) {
			case NONE -> route(exchange, chain, call, null, this.pool.stateful(), bodyModel(call));
			case PATH -> routeToDeployment(exchange, chain, call, deploymentFromPath(exchange));
			case BODY -> {
				if (!call.hasBody()) {
					yield GatewayErrors.write(exchange, AzureError
						.badRequest("This API expects a JSON body (Content-Type: application/json) naming the model."));
				}
				RequestFacts facts = call.facts();
				if (!facts.valid()) {
					yield GatewayErrors.write(exchange, AzureError.badRequest(String.valueOf(facts.problem())));
				}
				if (facts.model() == null) {
					yield GatewayErrors.write(exchange,
							AzureError.badRequest("The request body must name the deployment in its 'model' field."));
				}
				yield routeToDeployment(exchange, chain, call, facts.model());
			}
		};
	}

	private static String deploymentFromPath(ServerWebExchange exchange) {
		Map<String, String> variables = ServerWebExchangeUtils.getUriTemplateVariables(exchange);
		return variables.getOrDefault("deployment", "");
	}

	private Mono<Void> routeToDeployment(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			String deployment) {
		return this.pool.candidates(deployment)
			.map((candidates) -> route(exchange, chain, call, deployment, candidates, Map.of()))
			.orElseGet(() -> GatewayErrors.write(exchange, AzureError.deploymentNotFound(deployment)));
	}

	// A stateful call's body model, as each backend that hosts it names it: a Responses
	// create (or an assistant's) may land on any stateful backend.
	private Map<String, String> bodyModel(GatewayCall call) {
		String model = call.hasBody() ? call.facts().model() : null;
		if (model == null) {
			return Map.of();
		}
		Map<String, String> names = new LinkedHashMap<>();
		this.pool.candidates(model)
			.ifPresent((hosts) -> hosts.backends()
				.forEach((host) -> names.putIfAbsent(host.backend().name(), host.azureName())));
		return names;
	}

	private Mono<Void> route(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			@Nullable String deployment, Candidates candidates, Map<String, String> bodyModel) {
		ServerHttpRequest request = exchange.getRequest();
		ApiOperation operation = ApiOperation.of(this.family, request.getMethod(),
				request.getPath().pathWithinApplication().value());
		call.route(new RouteTarget(this.family, operation, deployment, this.source, candidates, bodyModel));
		return chain.filter(exchange);
	}

	@Override
	public String toString() {
		return "RouteTarget[" + this.family.tag() + ", deployment from " + this.source + "]";
	}

}
