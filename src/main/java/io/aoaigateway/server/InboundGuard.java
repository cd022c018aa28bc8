package io.aoaigateway.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Guards one client connection, right after Netty's HTTP decoder: times out request heads
 * that arrive too slowly (slowloris), refuses requests whose framing is ambiguous or
 * malformed (request smuggling) before Reactor Netty or Spring see them, and gives the
 * errors Netty writes itself (400, 408, 414, 431) Azure's body. After a refusal it drops
 * everything else the connection sends and closes it.
 */
final class InboundGuard extends ChannelDuplexHandler {

	private final long headerTimeoutNanos;

	private @Nullable ChannelHandlerContext context;

	// All fields are touched on the channel's event loop only.
	private boolean awaitingHead = true;

	private @Nullable ScheduledFuture<?> headTimer;

	private boolean refused;

	private boolean responseOpen;

	private boolean headRequest;

	InboundGuard(long headerTimeoutNanos) {
		this.headerTimeoutNanos = headerTimeoutNanos;
	}

	/**
	 * @return the handler to place before the HTTP decoder: it sees a request's first raw
	 * bytes, which start the head's timer
	 */
	ChannelHandler firstBytesWatcher() {
		return new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
					headBytesArrived();
				}
				ctx.fireChannelRead(msg);
			}
		};
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		cancelHeadTimer();
		super.channelInactive(ctx);
	}

	private void headBytesArrived() {
		ChannelHandlerContext ctx = this.context;
		if (this.awaitingHead && this.headTimer == null && !this.refused && ctx != null) {
			this.headTimer = ctx.executor().schedule(this::headTimedOut, this.headerTimeoutNanos, TimeUnit.NANOSECONDS);
		}
	}

	private void headTimedOut() {
		this.headTimer = null;
		ChannelHandlerContext ctx = this.context;
		if (this.awaitingHead && !this.refused && ctx != null && ctx.channel().isActive()) {
			refuse(ctx, AzureError.requestTimeout());
		}
	}

	private void cancelHeadTimer() {
		ScheduledFuture<?> timer = this.headTimer;
		if (timer != null) {
			timer.cancel(false);
			this.headTimer = null;
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.refused) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (msg instanceof HttpRequest request) {
			cancelHeadTimer();
			this.awaitingHead = false;
			this.headRequest = HttpMethod.HEAD.equals(request.method());
			AzureError problem = problem(request);
			if (problem != null) {
				ReferenceCountUtil.release(msg);
				refuse(ctx, problem);
				return;
			}
		}
		else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
			// A malformed chunk: the body must not reach a backend, complete or empty.
			ReferenceCountUtil.release(msg);
			refuse(ctx, AzureError.badRequest("The request body's chunked framing is not valid."));
			return;
		}
		if (msg instanceof LastHttpContent) {
			this.awaitingHead = true;
		}
		ctx.fireChannelRead(msg);
	}

	private static @Nullable AzureError problem(HttpRequest request) {
		DecoderResult result = request.decoderResult();
		if (result.isFailure()) {
			Throwable cause = result.cause();
			if (cause instanceof TooLongHttpHeaderException) {
				return AzureError.headersTooLarge();
			}
			if (cause instanceof TooLongHttpLineException) {
				return AzureError.uriTooLong();
			}
			if (cause instanceof TooLongFrameException) {
				return AzureError.headersTooLarge();
			}
			return AzureError.badRequest("The request is not valid HTTP/1.1; its framing could not be read.");
		}
		return RequestFraming.check(request.protocolVersion(), request.headers());
	}

	private void refuse(ChannelHandlerContext ctx, AzureError error) {
		this.refused = true;
		cancelHeadTimer();
		ctx.channel().config().setAutoRead(false);
		if (this.responseOpen) {
			ctx.close();
			return;
		}
		FullHttpResponse response = azureResponse(HttpVersion.HTTP_1_1, error);
		response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		this.responseOpen = true;
		// Written from here, it skips Reactor Netty's handlers, which may still be
		// serving a request whose body this was: they only find the connection closed.
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		Object out = msg;
		if (msg instanceof FullHttpResponse full && isBare(full)) {
			out = withAzureBody(full);
		}
		if (out instanceof HttpResponse response && response.status().code() >= 200) {
			this.responseOpen = true;
		}
		if (out instanceof LastHttpContent) {
			this.responseOpen = false;
		}
		ctx.write(out, promise);
	}

	// Errors Reactor Netty writes itself (decoding failures, read and request timeouts)
	// carry no body; everything Spring writes already has one.
	private boolean isBare(FullHttpResponse response) {
		return response.status().code() >= 400 && !response.content().isReadable() && !this.headRequest;
	}

	private static FullHttpResponse withAzureBody(FullHttpResponse bare) {
		FullHttpResponse shaped = azureResponse(bare.protocolVersion(), errorFor(bare.status()));
		shaped.headers().add(bare.headers());
		setBodyHeaders(shaped);
		bare.release();
		return shaped;
	}

	private static AzureError errorFor(HttpResponseStatus status) {
		HttpStatus known = HttpStatus.resolve(status.code());
		if (known == null) {
			known = HttpStatus.BAD_REQUEST;
		}
		return switch (known) {
			case BAD_REQUEST -> AzureError.badRequest("The request is not valid HTTP/1.1.");
			case REQUEST_TIMEOUT -> AzureError.requestTimeout();
			case URI_TOO_LONG -> AzureError.uriTooLong();
			case REQUEST_HEADER_FIELDS_TOO_LARGE -> AzureError.headersTooLarge();
			case CONTENT_TOO_LARGE -> AzureError.payloadTooLarge();
			default -> AzureError.of(known, known.getReasonPhrase());
		};
	}

	private static FullHttpResponse azureResponse(HttpVersion version, AzureError error) {
		FullHttpResponse response = new DefaultFullHttpResponse(version,
				HttpResponseStatus.valueOf(error.status().value()), Unpooled.wrappedBuffer(GatewayErrors.json(error)));
		setBodyHeaders(response);
		return response;
	}

	private static void setBodyHeaders(FullHttpResponse response) {
		response.headers()
			.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
			.set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
	}

}
