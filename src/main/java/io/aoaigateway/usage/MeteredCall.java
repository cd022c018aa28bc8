package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * The usage side of one call: which parser reads its response, and who wants to know the
 * outcome. Filters that care (quotas, later metrics) register a listener; the response is
 * read once for all of them.
 */
public final class MeteredCall {

	private static final Log logger = LogFactory.getLog(MeteredCall.class);

	private final List<Consumer<CallUsage>> listeners = new CopyOnWriteArrayList<>();

	private final AtomicBoolean finished = new AtomicBoolean();

	private volatile boolean removeInjectedUsage;

	/** Largest JSON answer held whole for {@link #beforeAnswer} work. */
	static final long MAX_HELD_BYTES = 1024 * 1024;

	private volatile @Nullable Function<AnswerIds, Mono<Void>> beforeAnswer;

	private volatile boolean held;

	private final List<Runnable> streamStartListeners = new CopyOnWriteArrayList<>();

	private volatile long firstChunkNanos;

	private volatile boolean streaming;

	private @Nullable JsonUsageParser json;

	private @Nullable SseUsageParser sse;

	private @Nullable InjectedUsageRemover remover;

	private @Nullable Integer status;

	/**
	 * Asks for the stream's usage chunk and {@code usage:null} members, which the gateway
	 * asked the backend for, to be taken out before the client sees them.
	 */
	public void removeInjectedUsage() {
		this.removeInjectedUsage = true;
	}

	/**
	 * Holds a successful JSON answer back until the given work is done with the ids it
	 * names, so that the client cannot act on the answer before the gateway has (e.g.
	 * recorded where a created object lives). Only for small answers: the body is held
	 * whole.
	 * @param hook the work, given the ids the answer names
	 */
	public void beforeAnswer(Function<AnswerIds, Mono<Void>> hook) {
		this.beforeAnswer = hook;
	}

	/**
	 * Registers a listener called when the answer turns out to be a stream.
	 * @param listener the listener
	 */
	public void onStreamStart(Runnable listener) {
		this.streamStartListeners.add(listener);
	}

	/**
	 * @return {@link System#nanoTime()} when the first chunk of the answer passed, or 0
	 */
	public long firstChunkNanos() {
		return this.firstChunkNanos;
	}

	/**
	 * @return whether the answer is a stream
	 */
	public boolean streaming() {
		return this.streaming;
	}

	/**
	 * Registers a listener for the outcome, called once when the response has ended.
	 * @param listener the listener
	 */
	public void onFinish(Consumer<CallUsage> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Chooses how to read the response, from its status and content type; called when the
	 * first body chunk is written.
	 * @param status the response status
	 * @param contentType the response content type
	 */
	void start(@Nullable Integer status, @Nullable MediaType contentType) {
		this.status = status;
		boolean success = status != null && status >= 200 && status < 300;
		if (!success || contentType == null) {
			return;
		}
		if (MediaType.TEXT_EVENT_STREAM.isCompatibleWith(contentType)) {
			this.streaming = true;
			this.streamStartListeners.forEach(Runnable::run);
			if (this.removeInjectedUsage) {
				this.remover = new InjectedUsageRemover();
			}
			else {
				this.sse = new SseUsageParser();
			}
		}
		else if (MediaType.APPLICATION_JSON.isCompatibleWith(contentType)) {
			this.json = new JsonUsageParser();
		}
	}

	@Nullable Function<AnswerIds, Mono<Void>> heldBy() {
		return (this.json != null) ? this.beforeAnswer : null;
	}

	/**
	 * Whether an answer may be held whole before the client gets it: one that says it is
	 * larger than {@link #MAX_HELD_BYTES} (large generated images, say) passes as it
	 * comes, and its ids are handed over when it has ended ({@link #held()} is then
	 * false). One of unknown length is held.
	 * @param contentLength the answer's {@code Content-Length}, -1 when unknown
	 * @return whether to hold it
	 */
	boolean mayHold(long contentLength) {
		boolean hold = contentLength <= MAX_HELD_BYTES;
		this.held = hold;
		return hold;
	}

	/**
	 * Whether the answer was held until the {@link #beforeAnswer} work was done; when it
	 * was not (a stream, or a JSON answer too large to hold), that work is the listeners'
	 * to do when the call ends.
	 * @return {@code true} when it was held
	 */
	public boolean held() {
		return this.held;
	}

	AnswerIds jsonIds() {
		JsonUsageParser parser = this.json;
		if (parser == null) {
			return AnswerIds.NONE;
		}
		List<String> ids = new ArrayList<>(2);
		if (parser.id() != null) {
			ids.add(parser.id());
		}
		if (parser.threadId() != null) {
			ids.add(parser.threadId());
		}
		if ("upload".equals(parser.object()) && parser.fileId() != null) {
			return new AnswerIds(ids, List.of(parser.fileId()));
		}
		return new AnswerIds(ids, "response".equals(parser.object()) ? parser.itemIds() : List.of());
	}

	boolean rewrites() {
		return this.remover != null;
	}

	void chunkPassed() {
		if (this.firstChunkNanos == 0) {
			this.firstChunkNanos = System.nanoTime();
		}
	}

	void tap(ByteBuffer chunk) {
		if (this.json != null) {
			this.json.feed(chunk);
		}
		else if (this.sse != null) {
			this.sse.feed(chunk);
		}
	}

	byte[] rewrite(ByteBuffer chunk) {
		return (this.remover != null) ? this.remover.rewrite(chunk) : new byte[0];
	}

	byte[] finishRewrite() {
		return (this.remover != null) ? this.remover.finish() : new byte[0];
	}

	/**
	 * Wraps a call's response so that its usage is read as it is written.
	 * @param response the response
	 * @return the response to write through
	 */
	public ServerHttpResponse capture(ServerHttpResponse response) {
		return new UsageCapturingResponse(response, this);
	}

	/**
	 * Ends the call and tells the listeners, once.
	 * @param responseStatus the response status, null when no response was started
	 * @param completed whether the response was written to its end
	 * @param cancelled whether the client left before the end
	 */
	public void finish(@Nullable Integer responseStatus, boolean completed, boolean cancelled) {
		if (!this.finished.compareAndSet(false, true)) {
			return;
		}
		CallUsage usage = outcome((this.status != null) ? this.status : responseStatus, completed, cancelled);
		for (Consumer<CallUsage> listener : this.listeners) {
			try {
				listener.accept(usage);
			}
			catch (RuntimeException ex) {
				logger.warn("A usage listener failed: " + ex);
			}
		}
	}

	private CallUsage outcome(@Nullable Integer responseStatus, boolean completed, boolean cancelled) {
		if (this.json != null) {
			return jsonOutcome(this.json, responseStatus, completed, cancelled);
		}
		SseUsageParser parser = (this.remover != null) ? this.remover.parser() : this.sse;
		if (parser != null) {
			parser.end();
			List<ObjectUsage> ended = parser.endedObjects();
			List<RunningObject> running = parser.runningObjects();
			// In a run stream or a background response's, usage belongs to the object,
			// charged once per object.
			TokenUsage usage = (ended.isEmpty() && running.isEmpty()) ? parser.usage() : null;
			return new CallUsage(usage, parser.generatedCharacters(), true, responseStatus, completed, cancelled, ended,
					new AnswerIds(parser.createdIds(), parser.itemIds()), running);
		}
		return new CallUsage(null, 0, false, responseStatus, completed, cancelled, List.of(), AnswerIds.NONE,
				List.of());
	}

	private CallUsage jsonOutcome(JsonUsageParser parser, @Nullable Integer responseStatus, boolean completed,
			boolean cancelled) {
		parser.end();
		List<ObjectUsage> endedObjects = new ArrayList<>();
		List<RunningObject> running = new ArrayList<>();
		TokenUsage usage = parser.usage();
		String id = parser.id();
		String status = parser.status();
		boolean run = "thread.run".equals(parser.object());
		boolean backgroundResponse = "response".equals(parser.object()) && parser.background();
		if (id != null && status != null && (run || backgroundResponse)) {
			if (ObjectStates.ended(parser.object(), status) && usage != null) {
				endedObjects.add(new ObjectUsage(id, status, usage));
			}
			if (!run || parser.threadId() != null) {
				running.add(new RunningObject(id, run ? parser.threadId() : null, status));
			}
			// A run's or a background response's usage is charged once per object, not
			// with the call that fetched it.
			usage = null;
		}
		return new CallUsage(usage, 0, false, responseStatus, completed, cancelled, endedObjects, jsonIds(), running);
	}

}
