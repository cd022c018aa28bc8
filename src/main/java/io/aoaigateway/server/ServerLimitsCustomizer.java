package io.aoaigateway.server;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies {@link ServerLimitsProperties} to the Reactor Netty server: body read timeouts,
 * the connection cap, a decoder that refuses Transfer-Encoding with Content-Length, and
 * an {@link InboundGuard} on every connection.
 */
final class ServerLimitsCustomizer implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

	static final String GUARD = "aoai.inboundGuard";

	static final String FIRST_BYTES = "aoai.firstBytes";

	private final ServerLimitsProperties properties;

	private final AtomicInteger connections = new AtomicInteger();

	ServerLimitsCustomizer(ServerLimitsProperties properties) {
		this.properties = properties;
	}

	// After Boot's own customizer (order 0), so that the decoder settings read below are
	// the final ones (server.max-http-request-header-size, server.netty.*).
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void customize(NettyReactiveWebServerFactory factory) {
		factory.addServerCustomizers(this::customize);
	}

	/**
	 * @return client connections open now
	 */
	int openConnections() {
		return this.connections.get();
	}

	private HttpServer customize(HttpServer server) {
		HttpDecoderConfig decoder = strictDecoder(server.configuration().decoder());
		long headerTimeout = this.properties.headerReadTimeout().toNanos();
		int maxConnections = this.properties.maxConnections();
		return server.readTimeout(this.properties.bodyReadTimeout())
			.requestTimeout(this.properties.bodyTotalTimeout())
			.doOnChannelInit((observer, channel, remoteAddress) -> {
				if (!admit(channel, maxConnections)) {
					return;
				}
				guard(channel.pipeline(), decoder, headerTimeout);
			});
	}

	boolean admit(Channel channel, int maxConnections) {
		int open = this.connections.incrementAndGet();
		channel.closeFuture().addListener((closed) -> this.connections.decrementAndGet());
		if (open > maxConnections) {
			channel.close();
			return false;
		}
		return true;
	}

	private static void guard(ChannelPipeline pipeline, HttpDecoderConfig decoder, long headerTimeout) {
		if (pipeline.get(NettyPipeline.HttpCodec) == null) {
			// Not an HTTP/1.1 connection (h2, h2c): its codec frames requests itself.
			return;
		}
		pipeline.replace(NettyPipeline.HttpCodec, NettyPipeline.HttpCodec, new HttpServerCodec(decoder));
		InboundGuard guard = new InboundGuard(headerTimeout);
		pipeline.addAfter(NettyPipeline.HttpCodec, GUARD, guard);
		pipeline.addBefore(NettyPipeline.HttpCodec, FIRST_BYTES, guard.firstBytesWatcher());
	}

	// Reactor Netty's own decoder settings, plus RFC 9112's rule that Transfer-Encoding
	// and Content-Length together are an error (Netty otherwise drops Content-Length and
	// reads the body as chunked, which a proxy behind or in front may not).
	private static HttpDecoderConfig strictDecoder(HttpRequestDecoderSpec spec) {
		return new HttpDecoderConfig().setMaxInitialLineLength(spec.maxInitialLineLength())
			.setMaxHeaderSize(spec.maxHeaderSize())
			.setValidateHeaders(spec.validateHeaders())
			.setInitialBufferSize(spec.initialBufferSize())
			.setAllowDuplicateContentLengths(spec.allowDuplicateContentLengths())
			.setAllowPartialChunks(spec.allowPartialChunks())
			.setUseRfc9112TransferEncoding(true);
	}

}
