package io.aoaigateway.usage;

import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Lets a {@link MeteredCall} read the response body as it passes to the client: chunks
 * are tapped, not held, so the client receives each one as soon as the backend sends it.
 * Only a stream whose usage option the gateway injected is rewritten, event by event.
 */
final class UsageCapturingResponse extends ServerHttpResponseDecorator {

	private final MeteredCall call;

	UsageCapturingResponse(ServerHttpResponse delegate, MeteredCall call) {
		super(delegate);
		this.call = call;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		start();
		Function<AnswerIds, Mono<Void>> hook = this.call.heldBy();
		if (hook != null && this.call.mayHold(getHeaders().getContentLength())) {
			return held(Flux.from(body), hook);
		}
		return super.writeWith(this.call.rewrites() ? rewrite(Flux.from(body)) : tap(Flux.from(body)));
	}

	// The whole (small) answer is read, the hook runs, then the answer goes out; if the
	// client leaves before that, the answer is released here.
	private Mono<Void> held(Flux<? extends DataBuffer> body, Function<AnswerIds, Mono<Void>> hook) {
		return DataBufferUtils.join(tap(body)).map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap((joined) -> {
			AtomicBoolean handedOver = new AtomicBoolean();
			Mono<Void> work = hook.apply(this.call.jsonIds()).onErrorComplete();
			return work.then(Mono.defer(() -> {
				handedOver.set(true);
				return super.writeWith(Mono.justOrEmpty(joined));
			})).doFinally((signal) -> {
				if (!handedOver.get()) {
					joined.ifPresent(DataBufferUtils::release);
				}
			});
		});
	}

	// text/event-stream arrives here, one inner publisher per flush (see
	// NettyWriteResponseFilter).
	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		start();
		// Each flush group is read (and, if the gateway injected the usage option,
		// rewritten) here, in stream order, before the next is taken. The writer below
		// takes groups before it reads them (it queues some while the client is slow):
		// a rewrite left to its reading could run after the end of the stream had been
		// declared (the last events, [DONE] and the usage were lost), and a group it
		// still held when the client left was never released.
		boolean rewrites = this.call.rewrites();
		PendingGroups pending = new PendingGroups();
		Flux<Flux<DataBuffer>> groups = Flux.from(body)
			.concatMap((inner) -> (rewrites ? rewrite(Flux.from(inner)) : tap(Flux.from(inner))).collectList())
			.concatWith(rewrites ? remainder().collectList() : Mono.empty())
			.filter((group) -> !group.isEmpty())
			.map(pending::add)
			.doOnDiscard(Publisher.class, UsageCapturingResponse::releaseUnread)
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release);
		return super.writeAndFlushWith(groups).doFinally((signal) -> pending.releaseAll());
	}

	// A flush group taken from the backend but never read (the client left): its
	// buffers are the backend connection's and must be released.
	private static void releaseUnread(Publisher<?> group) {
		Flux.from(group).subscribe((item) -> {
			if (item instanceof DataBuffer buffer) {
				DataBufferUtils.release(buffer);
			}
		}, (error) -> {
		});
	}

	private void start() {
		HttpStatusCode status = getStatusCode();
		this.call.start((status != null) ? status.value() : null, getHeaders().getContentType());
	}

	private Flux<DataBuffer> tap(Flux<? extends DataBuffer> body) {
		return body.map((buffer) -> {
			this.call.chunkPassed();
			try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
				while (chunks.hasNext()) {
					this.call.tap(chunks.next());
				}
			}
			return buffer;
		});
	}

	// Complete events go out as soon as their closing blank line arrives; only a
	// trailing partial event waits for the rest of itself.
	private Flux<DataBuffer> rewrite(Flux<? extends DataBuffer> body) {
		return body.<DataBuffer>handle((buffer, sink) -> {
			this.call.chunkPassed();
			byte[] out;
			try {
				out = rewriteAll(buffer);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
			if (out.length > 0) {
				sink.next(bufferFactory().wrap(out));
			}
		});
	}

	private byte[] rewriteAll(DataBuffer buffer) {
		byte[] result = null;
		try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
			while (chunks.hasNext()) {
				result = concat(result, this.call.rewrite(chunks.next()));
			}
		}
		return (result != null) ? result : new byte[0];
	}

	private Flux<DataBuffer> remainder() {
		return Flux.defer(() -> {
			byte[] rest = this.call.finishRewrite();
			return (rest.length > 0) ? Flux.just(bufferFactory().wrap(rest)) : Flux.empty();
		});
	}

	private static byte[] concat(byte @Nullable [] first, byte[] second) {
		if (first == null || first.length == 0) {
			return second;
		}
		if (second.length == 0) {
			return first;
		}
		byte[] both = new byte[first.length + second.length];
		System.arraycopy(first, 0, both, 0, first.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	/**
	 * Flush groups read from the backend and handed to the writer as placeholders: the
	 * writer reads them in order, and whatever it never read when the write ends (the
	 * client left) is released here.
	 */
	private static final class PendingGroups {

		private final Queue<List<DataBuffer>> groups = new ConcurrentLinkedQueue<>();

		Flux<DataBuffer> add(List<DataBuffer> group) {
			this.groups.add(group);
			return Flux.defer(() -> {
				List<DataBuffer> next = this.groups.poll();
				return (next != null) ? Flux.fromIterable(next) : Flux.empty();
			});
		}

		void releaseAll() {
			List<DataBuffer> group;
			while ((group = this.groups.poll()) != null) {
				group.forEach(DataBufferUtils::release);
			}
		}

	}

}
