package io.aoaigateway.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * How every Redis call of the gateway runs on the request path: time-boxed, never
 * blocking the caller's thread, and never continuing on Lettuce's I/O thread. In the
 * gateway a call never opens a connection: {@link RedisConnector} does that at start-up,
 * and until it has, the template the stores use refuses calls at once.
 */
public final class RedisCalls {

	private final Duration timeout;

	private volatile boolean answered;

	/**
	 * @param timeout the longest one call may take before its {@link Mono} fails
	 */
	public RedisCalls(Duration timeout) {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout);
		}
		this.timeout = timeout;
	}

	/**
	 * Runs one call.
	 * @param <T> what the call answers
	 * @param call the call, not yet subscribed
	 * @return the call, time-boxed
	 */
	public <T> Mono<T> run(Mono<T> call) {
		// Given a template of its own (not the gateway's), the first call would open
		// Spring's shared connection by blocking the subscribing thread: until a call
		// has been answered, calls are subscribed on a thread that may block. Once the
		// shared connection exists it stays (Lettuce reconnects it), so no call blocks.
		Mono<T> subscribed = this.answered ? call : call.subscribeOn(Schedulers.boundedElastic());
		// publishOn(): Lettuce answers on the one I/O thread of its shared connection;
		// the caller's work (the rest of a gateway call) must not queue up behind it
		// there, or every Redis reply of the replica would wait for it.
		return subscribed.timeout(this.timeout)
			.doOnSuccess((reply) -> this.answered = true)
			.publishOn(Schedulers.parallel());
	}

	/**
	 * Loads scripts into Redis's script cache (at start-up), so that their first use is
	 * one EVALSHA, never NOSCRIPT and a second round trip.
	 * @param redis the template
	 * @param scripts the scripts
	 * @return completes once every script is loaded, time-boxed as one call
	 */
	public Mono<Void> loadScripts(ReactiveStringRedisTemplate redis, RedisScript<?>... scripts) {
		return run(redis
			.execute((connection) -> Flux.fromArray(scripts)
				.concatMap((script) -> connection.scriptingCommands()
					.scriptLoad(ByteBuffer.wrap(script.getScriptAsString().getBytes(StandardCharsets.UTF_8)))))
			.then());
	}

}
