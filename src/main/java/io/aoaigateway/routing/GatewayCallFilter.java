package io.aoaigateway.routing;

import io.aoaigateway.auth.AuthenticatedCaller;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * The first of the gateway's filters: creates the call's {@link GatewayCall} with its
 * authenticated caller, whichever credential authenticated it (an Entra ID token or a
 * gateway-issued caller key).
 */
final class GatewayCallFilter implements GlobalFilter, Ordered {

	static final int ORDER = -200;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long start = System.nanoTime();
		return exchange.getPrincipal()
			.map((principal) -> (principal instanceof AuthenticatedCaller authenticated)
					? new GatewayCall(authenticated.caller(), start) : new GatewayCall(null, start))
			.switchIfEmpty(Mono.fromSupplier(() -> new GatewayCall(null, start)))
			.flatMap((call) -> {
				exchange.getAttributes().put(GatewayCall.ATTRIBUTE, call);
				return chain.filter(exchange);
			});
	}

}
