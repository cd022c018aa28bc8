package io.aoaigateway.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aoaigateway.observability.GatewayMeters;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Ends an answer whose backend goes quiet after its response headers, for longer than
 * {@code aoai.failover.stream-idle-timeout} (streams) or {@code body-idle-timeout}
 * (anything else).
 * <p>
 * The timer watches reads on the backend connection itself (Reactor Netty's
 * {@link Connection#onReadIdle}), not the way the answer is written to the client: how
 * {@code NettyWriteResponseFilter} writes a body depends on its content type (flushed
 * chunk by chunk only for streaming types), and a JSON answer that a filter holds back
 * whole is not written at all until it has ended. When the timer fires, the body fails at
 * its source, so every filter that reads it (usage and quotas at order -2, metrics) sees
 * the end: a response not yet started becomes a 504, a started one is cut, and either way
 * the call is metered. Reactor Netty removes the handler when the exchange on the
 * connection terminates (the connection goes back to the pool or is closed), also when
 * that happened before it was added (an answer without a body), so it never fires on a
 * pooled connection.
 */
final class BackendIdleTimeoutFilter implements GlobalFilter, Ordered {

	/** Inside failover, so that it runs for each attempt once its headers have come. */
	static final int ORDER = BackendFailoverFilter.ORDER + 1;

	private final IdleTimeouts timeouts;

	private final GatewayMeters meters;

	BackendIdleTimeoutFilter(IdleTimeouts timeouts, GatewayMeters meters) {
		this.timeouts = timeouts;
		this.meters = meters;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		return chain.filter(exchange).then(Mono.fromRunnable(() -> watch(exchange)));
	}

	private void watch(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		if (connection == null) {
			return;
		}
		IdleTimeouts.Kind kind = IdleTimeouts
			.kind(exchange.getAttribute(ServerWebExchangeUtils.ORIGINAL_RESPONSE_CONTENT_TYPE_ATTR));
		Duration idle = this.timeouts.of(kind);
		AtomicBoolean fired = new AtomicBoolean();
		connection.onReadIdle(idle.toMillis(), () -> {
			// Netty reports idleness again every period: end the answer once.
			if (fired.compareAndSet(false, true)) {
				this.meters.idleTimeout(kind.tag());
				connection.channel()
					.pipeline()
					.fireExceptionCaught(new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT,
							"The backend sent nothing for " + idle));
			}
		});
	}

}
