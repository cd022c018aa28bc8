package io.aoaigateway.auth;

import io.aoaigateway.support.GatewayAttributes;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Puts the authenticated caller into {@link GatewayAttributes#CALLER} for the filters
 * after it.
 */
final class CallerIdentityFilter implements GlobalFilter, Ordered {

	static final int ORDER = -200;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return exchange.getPrincipal().doOnNext((principal) -> {
			if (principal instanceof CallerAuthentication authentication) {
				exchange.getAttributes().put(GatewayAttributes.CALLER, authentication.caller());
			}
		}).then(chain.filter(exchange));
	}

}
