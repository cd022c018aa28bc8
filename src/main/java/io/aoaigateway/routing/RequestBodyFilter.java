package io.aoaigateway.routing;

import java.time.Duration;

import io.aoaigateway.server.BufferedBodyBudget;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Enforces the request size limit and reads JSON bodies once into memory, so that later
 * filters can read them (model, token estimates) and every attempt can replay them. A
 * body sent without a JSON content type to an endpoint that accepts only JSON is read
 * too, and treated as JSON when its content is. Buffered bytes are drawn from the
 * gateway-wide {@link BufferedBodyBudget} and given back when the call ends; other bodies
 * (multipart audio, file uploads) stream through uncopied.
 */
final class RequestBodyFilter implements GlobalFilter, Ordered {

	static final int ORDER = -150;

	// Long enough for stalled uploads to time out or finish, short enough to look "busy".
	private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

	private final long maxBytes;

	private final BufferedBodyBudget budget;

	RequestBodyFilter(long maxBytes, BufferedBodyBudget budget) {
		this.maxBytes = maxBytes;
		this.budget = budget;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		HttpHeaders headers = request.getHeaders();
		long declared = headers.getContentLength();
		if (declared > this.maxBytes) {
			return GatewayErrors.write(exchange, AzureError.payloadTooLarge(this.maxBytes));
		}
		boolean hasBody = declared > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
		BodyKind kind = BodyKind.of(headers.getFirst(HttpHeaders.CONTENT_TYPE), request.getPath().value(), hasBody);
		Mono<Void> call = switch (kind) {
			case STREAM ->
				chain.filter(exchange.mutate().request(new SizeLimitedRequest(request, this.maxBytes)).build());
			case INVALID_CONTENT_TYPE -> GatewayErrors.write(exchange,
					AzureError.badRequest("The Content-Type header is not valid; this API expects application/json."));
			case JSON, SNIFF -> buffer(exchange, chain, declared, kind == BodyKind.SNIFF);
		};
		return call.onErrorResume(RequestBodyFilter::isInboundTimeout, (ex) -> timedOut(exchange, ex));
	}

	// aoai.server.body-read-timeout / body-total-timeout: Reactor Netty fails the body
	// with these and closes the connection; the caller gets 408, not the 500 of an
	// unknown error. (Reactor Netty's RequestTimeoutException is not public.)
	private static boolean isInboundTimeout(Throwable ex) {
		return ex instanceof ReadTimeoutException
				|| ex.getClass().getName().equals("reactor.netty.http.server.RequestTimeoutException");
	}

	private static Mono<Void> timedOut(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
		return GatewayErrors.write(exchange, AzureError.requestTimeout());
	}

	private Mono<Void> buffer(ServerWebExchange exchange, GatewayFilterChain chain, long declared, boolean sniff) {
		BufferedBodyBudget.Lease lease = this.budget.open();
		if (declared > 0 && !lease.wouldFit(declared)) {
			return busy(exchange);
		}
		long[] received = { 0 };
		Flux<DataBuffer> counted = exchange.getRequest().getBody().handle((buffer, sink) -> {
			received[0] += buffer.readableByteCount();
			if (!lease.cover(received[0])) {
				DataBufferUtils.release(buffer);
				sink.error(new BudgetExhaustedException());
				return;
			}
			sink.next(buffer);
		});
		int limit = (int) Math.min(this.maxBytes, Integer.MAX_VALUE - 8);
		return DataBufferUtils.join(counted, limit)
			.map(RequestBodyFilter::toBytes)
			.defaultIfEmpty(new byte[0])
			// Only errors of the read itself: the call never went further.
			.onErrorMap(AbortedException.class, (ex) -> new CallerGoneException())
			.flatMap((bytes) -> {
				if (sniff && !BodyKind.looksLikeJson(bytes)) {
					return GatewayErrors.write(exchange, AzureError.badRequest(
							"This API expects a JSON body (Content-Type: application/json); the body is not JSON."));
				}
				GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
				call.readBody(bytes, RequestFacts.read(bytes));
				return chain.filter(exchange.mutate().request(new ReplayableRequest(exchange, call, sniff)).build());
			})
			.onErrorResume(DataBufferLimitException.class,
					(ex) -> GatewayErrors.write(exchange, AzureError.payloadTooLarge(this.maxBytes)))
			.onErrorResume(BudgetExhaustedException.class, (ex) -> busy(exchange))
			// The caller closed the connection mid-body: nobody is left to answer.
			.onErrorResume(CallerGoneException.class, (ex) -> Mono.empty())
			.doFinally((signal) -> lease.release());
	}

	// 503 rather than 429: the caller is within its quota; the gateway is short of
	// memory, and SDKs retry both, honouring Retry-After.
	private static Mono<Void> busy(ServerWebExchange exchange) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER.toSeconds()));
		headers.set("retry-after-ms", String.valueOf(RETRY_AFTER.toMillis()));
		headers.set(HttpHeaders.CONNECTION, "close");
		return GatewayErrors.write(exchange, AzureError.bodyMemoryExhausted());
	}

	private static byte[] toBytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	/**
	 * Serves the call's body as the current attempt sends it
	 * ({@link GatewayCall#attemptBody()}), afresh on every subscription, so that every
	 * attempt can send it again.
	 */
	private static final class ReplayableRequest extends ServerHttpRequestDecorator {

		private final ServerWebExchange exchange;

		private final GatewayCall call;

		private final boolean declareJson;

		// The headers depend only on the body's length: built once per length.
		private @Nullable HttpHeaders headers;

		ReplayableRequest(ServerWebExchange exchange, GatewayCall call, boolean declareJson) {
			super(exchange.getRequest());
			this.exchange = exchange;
			this.call = call;
			this.declareJson = declareJson;
		}

		@Override
		public HttpHeaders getHeaders() {
			long length = this.call.attemptBody().length;
			HttpHeaders built = this.headers;
			if (built != null && built.getContentLength() == length) {
				return built;
			}
			HttpHeaders headers = new HttpHeaders();
			headers.putAll(super.getHeaders());
			headers.remove(HttpHeaders.TRANSFER_ENCODING);
			headers.setContentLength(length);
			if (this.declareJson) {
				headers.setContentType(MediaType.APPLICATION_JSON);
			}
			HttpHeaders readOnly = HttpHeaders.readOnlyHttpHeaders(headers);
			this.headers = readOnly;
			return readOnly;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return Flux.defer(() -> {
				byte[] body = this.call.attemptBody();
				return (body.length == 0) ? Flux.empty() : Flux.just(bufferFactory().wrap(body));
			});
		}

		private DataBufferFactory bufferFactory() {
			return this.exchange.getResponse().bufferFactory();
		}

	}

	/** The body would take the budget of buffered bodies past its limit. */
	private static final class BudgetExhaustedException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		BudgetExhaustedException() {
			super("The budget of buffered request bodies is spent", null, false, false);
		}

	}

	/** The caller's connection closed before its body was read. */
	private static final class CallerGoneException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		CallerGoneException() {
			super("The caller closed the connection before its body was read", null, false, false);
		}

	}

	/**
	 * Streams a body through while counting it, failing once it passes the limit (for
	 * bodies sent without a Content-Length).
	 */
	private static final class SizeLimitedRequest extends ServerHttpRequestDecorator {

		private final long maxBytes;

		SizeLimitedRequest(ServerHttpRequest delegate, long maxBytes) {
			super(delegate);
			this.maxBytes = maxBytes;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			long[] seen = { 0 };
			return super.getBody().handle((buffer, sink) -> {
				seen[0] += buffer.readableByteCount();
				if (seen[0] > this.maxBytes) {
					DataBufferUtils.release(buffer);
					sink.error(new DataBufferLimitException(
							"Request body is larger than the limit of " + this.maxBytes + " bytes"));
					return;
				}
				sink.next(buffer);
			});
		}

	}

}
