package io.aoaigateway.resilience;

import java.time.Duration;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Ends a stream whose backend has gone quiet for longer than
 * {@code aoai.failover.stream-idle-timeout}: the time to response headers is bounded by
 * Spring Cloud Gateway, the gaps between events by this filter.
 */
final class StreamIdleTimeoutFilter implements GlobalFilter, Ordered {

	// Outside the usage filter (-2), so a stream cut for idleness is still metered.
	static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 2;

	private final Duration idleTimeout;

	StreamIdleTimeoutFilter(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpResponseDecorator response = new ServerHttpResponseDecorator(exchange.getResponse()) {
			// text/event-stream arrives here, one inner publisher per event.
			@Override
			public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
				return super.writeAndFlushWith(Flux.from(body).timeout(StreamIdleTimeoutFilter.this.idleTimeout));
			}
		};
		return chain.filter(exchange.mutate().response(response).build());
	}

}
