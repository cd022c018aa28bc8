package io.aoaigateway.priority;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Puts each call in its priority class ({@link PriorityClasses}) and tells the caller
 * which one, in the priority header of the answer. A header naming no class is refused
 * with 400: a typo would otherwise run the call in a class its caller did not mean.
 */
final class PriorityFilter implements GlobalFilter, Ordered {

	/** Before quotas, which may limit a class, and failover, which serves by class. */
	static final int ORDER = -100;

	private final PriorityClasses classes;

	private final String header;

	PriorityFilter(PriorityClasses classes, String header) {
		this.classes = classes;
		this.header = header;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		CallerIdentity caller = call.caller();
		if (caller == null || !this.classes.enabled()) {
			return chain.filter(exchange);
		}
		String asked = exchange.getRequest().getHeaders().getFirst(this.header);
		PriorityClass assigned = this.classes.classify(caller, asked);
		if (assigned == null) {
			return GatewayErrors.write(exchange,
					AzureError.of(HttpStatus.BAD_REQUEST,
							"The " + this.header + " header names no priority class; use one of "
									+ String.join(", ", this.classes.all().stream().map(PriorityClass::name).toList())
									+ "."));
		}
		call.prioritize(assigned.name());
		ServerHttpResponse response = exchange.getResponse();
		response.beforeCommit(() -> Mono.fromRunnable(() -> response.getHeaders().set(this.header, assigned.name())));
		return chain.filter(exchange);
	}

}
