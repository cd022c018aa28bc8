package io.aoaigateway.routing;

import io.aoaigateway.usage.MeteredCall;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;

/**
 * Has the response of a routed call read for usage as it is written, by the call's
 * {@link MeteredCall}, and tells its listeners once the response has ended, however it
 * ended. Calls refused before they were routed (a body too large or too slow) are not
 * metered.
 */
final class MeteredResponseFilter implements GlobalFilter, Ordered {

	// Must wrap the response before NettyWriteResponseFilter (order -1) writes it, or we
	// never see the body; and the chain only completes once the body has been written.
	static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		MeteredCall metered = exchange.<GatewayCall>getRequiredAttribute(GatewayCall.ATTRIBUTE).metered();
		ServerWebExchange capturing = exchange.mutate().response(metered.capture(exchange.getResponse())).build();
		return chain.filter(capturing).doFinally((signal) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			boolean started = exchange.getResponse().isCommitted();
			metered.finish((started && status != null) ? status.value() : null, signal == SignalType.ON_COMPLETE,
					signal == SignalType.CANCEL);
		});
	}

}
