package io.aoaigateway.routing;

import io.aoaigateway.auth.CallerAuthentication;
import io.aoaigateway.usage.MeteredCall;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;

/**
 * The first of the gateway's filters: creates the call's {@link GatewayCall} with its
 * authenticated caller, and has its response read for usage as it is written. When the
 * response has ended, however it ended, the {@link MeteredCall}'s listeners are told.
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
			.map((principal) -> (principal instanceof CallerAuthentication authentication)
					? new GatewayCall(authentication.caller(), start) : new GatewayCall(null, start))
			.switchIfEmpty(Mono.fromSupplier(() -> new GatewayCall(null, start)))
			.flatMap((call) -> run(exchange, chain, call));
	}

	private static Mono<Void> run(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call) {
		exchange.getAttributes().put(GatewayCall.ATTRIBUTE, call);
		MeteredCall metered = call.metered();
		ServerWebExchange capturing = exchange.mutate().response(metered.capture(exchange.getResponse())).build();
		return chain.filter(capturing).doFinally((signal) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			boolean started = exchange.getResponse().isCommitted();
			metered.finish((started && status != null) ? status.value() : null, signal == SignalType.ON_COMPLETE,
					signal == SignalType.CANCEL);
		});
	}

}
