package io.aoaigateway.leaks;

import java.net.URI;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpResponseDecorator;

/**
 * The tests' HTTP client connector: Reactor Netty's, with every body chunk copied to the
 * heap and its pooled buffer released at once.
 * <p>
 * {@code WebTestClient} leaves the body of a response unread when a test only checks its
 * status or headers, and Reactor Netty never releases the pooled buffers of a body nobody
 * read (spring-framework#31335, #36050): the leak check would blame the gateway for the
 * test's client. So a body that is not a stream is read at once, into the heap, and
 * served from there; a stream is copied as the test reads it (a test that leaves a stream
 * unread still leaks). The gateway's own buffers are tracked as before.
 */
final class ReleasingClientHttpConnector implements ClientHttpConnector {

	private final ClientHttpConnector delegate = TestClients.CONNECTOR;

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return this.delegate.connect(method, uri, requestCallback).map(ReleasingResponse::new);
	}

	private static final class ReleasingResponse extends ClientHttpResponseDecorator {

		private final Flux<DataBuffer> body;

		ReleasingResponse(ClientHttpResponse delegate) {
			super(delegate);
			Flux<byte[]> copies = delegate.getBody().map(ReleasingResponse::copyAndRelease);
			if (!streamed(delegate.getHeaders().getContentType())) {
				copies = copies.cache();
				copies.subscribe((bytes) -> {
				}, (error) -> {
				});
			}
			this.body = copies.map(DefaultDataBufferFactory.sharedInstance::wrap);
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return this.body;
		}

		private static boolean streamed(@Nullable MediaType contentType) {
			return contentType != null && (MediaType.TEXT_EVENT_STREAM.isCompatibleWith(contentType)
					|| MediaType.APPLICATION_NDJSON.isCompatibleWith(contentType));
		}

		private static byte[] copyAndRelease(DataBuffer pooled) {
			try {
				byte[] bytes = new byte[pooled.readableByteCount()];
				pooled.read(bytes);
				return bytes;
			}
			finally {
				DataBufferUtils.release(pooled);
			}
		}

	}

}
