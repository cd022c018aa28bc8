package io.aoaigateway.usage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import static io.aoaigateway.usage.UsageFixtures.recorded;
import static org.assertj.core.api.Assertions.assertThat;

class UsageCapturingResponseTests {

	@Test
	void writeAndFlushWithWhenWriterTakesEveryGroupBeforeReadingAnyThenWholeStreamRewrittenAndUsageRead() {
		MeteredCall call = new MeteredCall();
		call.removeInjectedUsage();
		AtomicReference<CallUsage> outcome = new AtomicReference<>();
		call.onFinish(outcome::set);
		LateReadingResponse writer = new LateReadingResponse();
		UsageCapturingResponse response = new UsageCapturingResponse(writer, call);
		response.setStatusCode(HttpStatus.OK);
		response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);

		StepVerifier.create(response.writeAndFlushWith(groups(recorded("chat-stream-include-usage.sse"), 7)))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		call.finish(200, true, false);

		assertThat(writer.written()).isEqualTo(new String(recorded("chat-stream.sse"), StandardCharsets.UTF_8));
		assertThat(outcome.get().reported()).isEqualTo(new TokenUsage(10, 4, 0, 0));
	}

	@Test
	void writeWithWhenClientLeavesWhileTheAnswerIsHeldThenTheAnswerIsReleased() {
		MeteredCall call = new MeteredCall();
		call.beforeAnswer((ids) -> Mono.never());
		UsageCapturingResponse response = new UsageCapturingResponse(new MockServerHttpResponse(), call);
		response.setStatusCode(HttpStatus.OK);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		byte[] json = recorded("chat-completion.json");
		NettyDataBuffer answer = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT).allocateBuffer(json.length)
			.write(json);

		StepVerifier.create(response.writeWith(Mono.just(answer)))
			.expectSubscription()
			.thenCancel()
			.verify(Duration.ofSeconds(10));

		assertThat(answer.getNativeBuffer().refCnt()).isZero();
	}

	// One flush group of one buffer per chunk of the given size, as the gateway's writer
	// gets them from the backend.
	private static Flux<Flux<DataBuffer>> groups(byte[] stream, int size) {
		List<Flux<DataBuffer>> groups = new ArrayList<>();
		for (int offset = 0; offset < stream.length; offset += size) {
			byte[] chunk = Arrays.copyOfRange(stream, offset, Math.min(stream.length, offset + size));
			groups.add(Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(chunk))));
		}
		return Flux.fromIterable(groups);
	}

	/**
	 * A writer that takes every flush group before it reads any, as Reactor Netty may
	 * when the client reads slowly.
	 */
	private static final class LateReadingResponse extends ServerHttpResponseDecorator {

		private final StringBuilder written = new StringBuilder();

		LateReadingResponse() {
			super(new MockServerHttpResponse());
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return Flux.from(body)
				.collectList()
				.flatMapMany(Flux::fromIterable)
				.concatMap(Flux::from)
				.doOnNext((buffer) -> {
					this.written.append(buffer.toString(StandardCharsets.UTF_8));
					DataBufferUtils.release(buffer);
				})
				.then();
		}

		String written() {
			return this.written.toString();
		}

	}

	@Test
	void mayHoldWhenAnswerLargerThanTheCapThenNotHeldElseHeld() {
		MeteredCall large = new MeteredCall();
		MeteredCall unknown = new MeteredCall();
		MeteredCall small = new MeteredCall();

		assertThat(large.mayHold(MeteredCall.MAX_HELD_BYTES + 1)).isFalse();
		assertThat(unknown.mayHold(-1)).isTrue();
		assertThat(small.mayHold(MeteredCall.MAX_HELD_BYTES)).isTrue();
		assertThat(large.held()).isFalse();
		assertThat(unknown.held()).isTrue();
		assertThat(new MeteredCall().held()).isFalse();
	}

}
