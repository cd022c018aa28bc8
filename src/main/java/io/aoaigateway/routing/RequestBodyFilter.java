package io.aoaigateway.routing;

import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
 * filters can read them (model, token estimates) and every attempt can replay them. Other
 * bodies (multipart audio, file uploads) stream through uncopied.
 */
final class RequestBodyFilter implements GlobalFilter, Ordered {

	static final int ORDER = -150;

	private final long maxBytes;

	RequestBodyFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		long declared = request.getHeaders().getContentLength();
		if (declared > this.maxBytes) {
			return GatewayErrors.write(exchange, AzureError.payloadTooLarge(this.maxBytes));
		}
		if (!isJson(request.getHeaders())) {
			return chain.filter(exchange.mutate().request(new SizeLimitedRequest(request, this.maxBytes)).build());
		}
		int limit = (int) Math.min(this.maxBytes, Integer.MAX_VALUE - 8);
		return DataBufferUtils.join(request.getBody(), limit)
			.map(RequestBodyFilter::toBytes)
			.defaultIfEmpty(new byte[0])
			.flatMap((bytes) -> {
				exchange.getAttributes().put(GatewayAttributes.REQUEST_BODY, bytes);
				return chain.filter(exchange.mutate().request(new ReplayableRequest(exchange)).build());
			})
			.onErrorResume(DataBufferLimitException.class,
					(ex) -> GatewayErrors.write(exchange, AzureError.payloadTooLarge(this.maxBytes)));
	}

	private static boolean isJson(HttpHeaders headers) {
		MediaType contentType;
		try {
			contentType = headers.getContentType();
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		return contentType != null && (MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
				|| contentType.getSubtype().endsWith("+json"));
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
	 * Serves the body held in {@link GatewayAttributes#REQUEST_BODY}, read afresh on
	 * every subscription so that a later filter may replace it and a retry may resend it.
	 */
	private static final class ReplayableRequest extends ServerHttpRequestDecorator {

		private final ServerWebExchange exchange;

		ReplayableRequest(ServerWebExchange exchange) {
			super(exchange.getRequest());
			this.exchange = exchange;
		}

		private byte[] body() {
			return this.exchange.getRequiredAttribute(GatewayAttributes.REQUEST_BODY);
		}

		@Override
		public HttpHeaders getHeaders() {
			HttpHeaders headers = new HttpHeaders();
			headers.putAll(super.getHeaders());
			headers.remove(HttpHeaders.TRANSFER_ENCODING);
			headers.setContentLength(body().length);
			return headers;
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return Flux.defer(() -> {
				byte[] body = body();
				return (body.length == 0) ? Flux.empty() : Flux.just(bufferFactory().wrap(body));
			});
		}

		private DataBufferFactory bufferFactory() {
			return this.exchange.getResponse().bufferFactory();
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
