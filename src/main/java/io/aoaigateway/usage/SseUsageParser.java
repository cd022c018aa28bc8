package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Reads token usage and the amount of generated text from a server-sent event stream as
 * it passes through the gateway, one network chunk at a time, however the stream is
 * split.
 * <p>
 * It understands chat and completions chunks ({@code data:}-only events), Responses API
 * events ({@code response.completed} and the other terminal events carry
 * {@code response.usage}) and Assistants run events ({@code thread.run.completed} and the
 * other terminal run events carry the run's usage). The events are framed by an
 * {@link SseEventReader}: its own, or the one an {@link InjectedUsageRemover} shares with
 * it.
 * <p>
 * Not thread-safe: one instance per response, fed in order. Never throws. Memory is
 * bounded by {@link #MAX_EVENT_BYTES}: an event with more data is skipped.
 *
 * @see <a href=
 * "https://html.spec.whatwg.org/multipage/server-sent-events.html">Server-sent events</a>
 */
public final class SseUsageParser {

	/** Largest event data read; a larger event is skipped. */
	public static final int MAX_EVENT_BYTES = SseEventReader.MAX_DATA_BYTES;

	/** Most terminal runs remembered from one stream. */
	static final int MAX_RUNS = 32;

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	private static final Set<String> TERMINAL_RUN_EVENTS = Set.of("thread.run.completed", "thread.run.failed",
			"thread.run.cancelled", "thread.run.expired", "thread.run.incomplete");

	// A run's life before its end.
	private static final Set<String> RUN_EVENTS = Set.of("thread.run.created", "thread.run.queued",
			"thread.run.in_progress", "thread.run.requires_action", "thread.run.cancelling");

	private static final Set<String> TERMINAL_RESPONSE_EVENTS = Set.of("response.completed", "response.incomplete",
			"response.failed");

	private static final Set<String> RESPONSE_ITEM_EVENTS = Set.of("response.output_item.added",
			"response.output_item.done");

	private static final Set<String> RESPONSE_DELTA_EVENTS = Set.of("response.output_text.delta",
			"response.refusal.delta", "response.function_call_arguments.delta");

	// Every event name acted on: a name is matched as bytes against these, so that no
	// String is made for it.
	private static final String[] EVENT_NAMES = Stream
		.of(TERMINAL_RUN_EVENTS, TERMINAL_RESPONSE_EVENTS, RESPONSE_ITEM_EVENTS, RESPONSE_DELTA_EVENTS, RUN_EVENTS,
				Set.of("thread.created", "response.created", "thread.message.delta"))
		.flatMap(Set::stream)
		.toArray(String[]::new);

	private static final byte[][] EVENT_NAME_BYTES = Stream.of(EVENT_NAMES)
		.map((name) -> name.getBytes(StandardCharsets.US_ASCII))
		.toArray(byte[][]::new);

	private final SseEventReader reader = new SseEventReader(this::read);

	private final EventData eventData = new EventData();

	private final List<ObjectUsage> runs = new ArrayList<>();

	private final List<String> createdIds = new ArrayList<>();

	private final Set<String> itemIds = new LinkedHashSet<>();

	private boolean background;

	private final Map<String, RunningObject> runningObjects = new LinkedHashMap<>();

	private @Nullable ObjectUsage backgroundEnd;

	private boolean ended;

	private @Nullable TokenUsage usage;

	private long generatedCharacters;

	private boolean done;

	/**
	 * Reads the next chunk of the stream. The chunk's position and limit are left as they
	 * were.
	 * @param chunk the next bytes of the stream
	 */
	public void feed(ByteBuffer chunk) {
		if (this.ended) {
			return;
		}
		try {
			this.reader.feed(chunk);
		}
		catch (RuntimeException ex) {
			// Unexpected; lose this chunk rather than the stream.
		}
	}

	/**
	 * Marks the end of the stream: an event still pending is read as if a blank line had
	 * followed it. Later chunks are ignored.
	 */
	public void end() {
		if (this.ended) {
			return;
		}
		try {
			this.reader.end();
		}
		catch (RuntimeException ex) {
			// Unexpected; lose the last event rather than the stream.
		}
		this.ended = true;
	}

	/**
	 * The last usage seen: a chat or completions chunk's top-level {@code usage} (JSON
	 * {@code null} is skipped), or the {@code response.usage} of a terminal Responses API
	 * event.
	 * @return the usage, or {@code null} when none arrived or the last one was unusable
	 * (a count that is not an integer from 0 to {@link TokenUsage#MAX_TOKENS})
	 */
	public @Nullable TokenUsage usage() {
		return this.usage;
	}

	/**
	 * Characters (UTF-16 code units) of generated text seen so far, to estimate output
	 * tokens when no usage arrives: chat content, refusals and tool-call arguments,
	 * completions text, Responses API text and argument deltas, and Assistants message
	 * deltas.
	 * @return the number of characters
	 */
	public long generatedCharacters() {
		return this.generatedCharacters;
	}

	/**
	 * Assistants runs that ended in this stream with their usage, in the order seen, and
	 * the end of the background response the stream is about.
	 * @return the ended objects (at most {@value #MAX_RUNS} runs)
	 */
	public List<ObjectUsage> endedObjects() {
		if (!this.background || this.backgroundEnd == null) {
			return Collections.unmodifiableList(this.runs);
		}
		List<ObjectUsage> ended = new ArrayList<>(this.runs);
		ended.add(this.backgroundEnd);
		return ended;
	}

	/**
	 * Ids of objects the stream says were created: threads ({@code thread.created}) and
	 * responses ({@code response.created}).
	 * @return the ids, in order, capped like the runs
	 */
	public List<String> createdIds() {
		return Collections.unmodifiableList(this.createdIds);
	}

	/**
	 * Ids of the output items the stream names ({@code response.output_item.added} and
	 * {@code .done}, and the terminal response's {@code output}), with the
	 * {@code call_id} of function and tool calls.
	 * @return the ids, in order, at most {@value JsonUsageParser#MAX_ITEM_IDS}
	 */
	public List<String> itemIds() {
		return List.copyOf(this.itemIds);
	}

	/**
	 * The runs the stream showed (any {@code thread.run.*} event), and the background
	 * response it is about, each with the last status seen.
	 * @return the objects, in the order first seen, at most {@value #MAX_RUNS}
	 */
	public List<RunningObject> runningObjects() {
		if (!this.background) {
			return this.runningObjects.values().stream().filter(RunningObject::run).toList();
		}
		return List.copyOf(this.runningObjects.values());
	}

	/**
	 * Whether the stream sent its {@code data: [DONE]} event.
	 * @return {@code true} once {@code [DONE]} was seen
	 */
	public boolean done() {
		return this.done;
	}

	/**
	 * Reads one event that a reader shared with a rewriter framed; the parser's own
	 * reader is then not fed. Ignored once the parser has ended.
	 * @param event the event
	 * @return what the event's JSON data held, valid until the next event, or
	 * {@code null} when it was not read as JSON (no data, too large, {@code [DONE]}, not
	 * an object)
	 */
	@Nullable EventData read(SseEventReader.Event event) {
		if (this.ended || event.dataLines() == 0 || event.dataTooLarge()) {
			return null;
		}
		try {
			return handleEvent(event);
		}
		catch (RuntimeException ex) {
			// Unexpected; lose this event rather than the stream.
			return null;
		}
	}

	private @Nullable EventData handleEvent(SseEventReader.Event sse) {
		if (sse.dataIs(DONE)) {
			this.done = true;
			return null;
		}
		if (!startsLikeJson(sse)) {
			return null;
		}
		EventData event = this.eventData;
		event.read(sse.data(), sse.dataOffset(), sse.dataLength());
		this.generatedCharacters = TokenUsage.addSaturated(this.generatedCharacters, event.choicesCharacters);
		String name = event.type;
		if (sse.nameLength() > 0) {
			name = knownName(sse);
			if (name == null) {
				return event;
			}
		}
		if (name == null) {
			// Chat and completions chunks are data-only events. An Assistants object's
			// usage is only taken from its terminal event, never from a nameless one.
			if ((event.usage != null || event.usageUnusable)
					&& (event.object == null || !event.object.startsWith("thread."))) {
				// An unusable usage replaces what came before: the stream's usage is
				// then unknown, and the call is charged its estimate.
				this.usage = event.usage;
			}
			return event;
		}
		this.background |= event.responseBackground;
		running(name, event);
		if (name.equals("thread.created") && event.id != null) {
			createdId(event.id);
		}
		else if (name.equals("response.created") && event.responseId != null) {
			createdId(event.responseId);
		}
		if (RESPONSE_ITEM_EVENTS.contains(name)) {
			if (event.itemId != null) {
				itemId(event.itemId);
			}
			if (event.itemCallId != null) {
				itemId(event.itemCallId);
			}
		}
		else if (TERMINAL_RESPONSE_EVENTS.contains(name)) {
			event.outputIds.forEach(this::itemId);
			if (event.responseUsage != null || event.responseUsageUnusable) {
				this.usage = event.responseUsage;
			}
			if (event.responseId != null && event.responseUsage != null) {
				String status = (event.responseStatus != null) ? event.responseStatus
						: name.substring("response.".length());
				this.backgroundEnd = new ObjectUsage(event.responseId, status, event.responseUsage);
			}
		}
		else if (RESPONSE_DELTA_EVENTS.contains(name)) {
			this.generatedCharacters = TokenUsage.addSaturated(this.generatedCharacters, event.deltaCharacters);
		}
		else if (name.equals("thread.message.delta")) {
			this.generatedCharacters = TokenUsage.addSaturated(this.generatedCharacters, event.messageDeltaCharacters);
		}
		else if (TERMINAL_RUN_EVENTS.contains(name)) {
			terminalRun(name, event);
		}
		return event;
	}

	// The event's name, when it is one acted on.
	private static @Nullable String knownName(SseEventReader.Event event) {
		for (int index = 0; index < EVENT_NAMES.length; index++) {
			if (event.nameIs(EVENT_NAME_BYTES[index])) {
				return EVENT_NAMES[index];
			}
		}
		return null;
	}

	private void createdId(String id) {
		if (this.createdIds.size() < MAX_RUNS) {
			this.createdIds.add(id);
		}
	}

	// Remembers the runs and responses the stream shows, with their last status; only
	// background responses are reported (see runningObjects).
	private void running(String name, EventData event) {
		String id = null;
		String threadId = null;
		String status = null;
		if (name.startsWith("thread.run.") && "thread.run".equals(event.object) && event.threadId != null) {
			id = event.id;
			threadId = event.threadId;
			status = (event.status != null) ? event.status : name.substring("thread.run.".length());
		}
		else if (name.startsWith("response.") && event.responseId != null && event.responseStatus != null) {
			id = event.responseId;
			status = event.responseStatus;
		}
		if (id != null && status != null
				&& (this.runningObjects.containsKey(id) || this.runningObjects.size() < MAX_RUNS)) {
			this.runningObjects.put(id, new RunningObject(id, threadId, status));
		}
	}

	private void itemId(String id) {
		if (this.itemIds.size() < JsonUsageParser.MAX_ITEM_IDS) {
			this.itemIds.add(id);
		}
	}

	private void terminalRun(String name, EventData event) {
		TokenUsage runUsage = event.usage;
		String runId = event.id;
		if (runUsage == null || runId == null || this.runs.size() >= MAX_RUNS) {
			return;
		}
		String status = (event.status != null) ? event.status : name.substring("thread.run.".length());
		this.runs.add(new ObjectUsage(runId, status, runUsage));
	}

	// Cheap check that spares a parser for data that is plainly not a JSON object.
	private static boolean startsLikeJson(SseEventReader.Event event) {
		byte[] data = event.data();
		int end = event.dataOffset() + event.dataLength();
		for (int index = event.dataOffset(); index < end; index++) {
			byte b = data[index];
			if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
				return b == '{';
			}
		}
		return false;
	}

}
