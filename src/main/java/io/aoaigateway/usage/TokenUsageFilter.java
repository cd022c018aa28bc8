package io.aoaigateway.usage;

import io.aoaigateway.support.GatewayAttributes;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;

/**
 * Reads every call's token usage from its response as it passes, and tells the
 * {@link MeteredCall}'s listeners once the response has ended, however it ended.
 */
final class TokenUsageFilter implements GlobalFilter, Ordered {

	// Must wrap the response before NettyWriteResponseFilter (order -1) writes it, or we
	// never see the body; and the chain only completes once the body has been written.
	static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		MeteredCall call = new MeteredCall();
		exchange.getAttributes().put(GatewayAttributes.METERED_CALL, call);
		ServerWebExchange metered = exchange.mutate()
			.response(new UsageCapturingResponse(exchange.getResponse(), call))
			.build();
		return chain.filter(metered).doFinally((signal) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			boolean started = exchange.getResponse().isCommitted();
			call.finish((started && status != null) ? status.value() : null, signal == SignalType.ON_COMPLETE,
					signal == SignalType.CANCEL);
		});
	}

}
