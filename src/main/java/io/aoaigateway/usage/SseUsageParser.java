package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Reads token usage and the amount of generated text from a server-sent event stream as
 * it passes through the gateway, one network chunk at a time, however the stream is
 * split.
 * <p>
 * It understands chat and completions chunks ({@code data:}-only events), Responses API
 * events ({@code response.completed} and the other terminal events carry
 * {@code response.usage}) and Assistants run events ({@code thread.run.completed} and the
 * other terminal run events carry the run's usage).
 * <p>
 * Not thread-safe: one instance per response, fed in order. Never throws. Memory is
 * bounded by {@link #MAX_EVENT_BYTES}: a larger event is skipped.
 *
 * @see <a href=
 * "https://html.spec.whatwg.org/multipage/server-sent-events.html">Server-sent events</a>
 */
public final class SseUsageParser {

	/** Largest event data read; a larger event is skipped up to the next blank line. */
	public static final int MAX_EVENT_BYTES = 1024 * 1024;

	/** Most terminal runs remembered from one stream. */
	static final int MAX_RUNS = 32;

	private static final int MAX_FIELD_NAME = 8;

	private static final int MAX_EVENT_NAME = 256;

	// A buffer that grew for one large event is dropped afterwards rather than kept for
	// the rest of a long stream.
	private static final int RETAINED_DATA_CAPACITY = 64 * 1024;

	private static final int SLICE_SIZE = 8192;

	private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] LINE_FEED = { '\n' };

	private static final Set<String> TERMINAL_RUN_EVENTS = Set.of("thread.run.completed", "thread.run.failed",
			"thread.run.cancelled", "thread.run.expired", "thread.run.incomplete");

	private static final Set<String> TERMINAL_RESPONSE_EVENTS = Set.of("response.completed", "response.incomplete",
			"response.failed");

	private static final Set<String> RESPONSE_DELTA_EVENTS = Set.of("response.output_text.delta",
			"response.refusal.delta", "response.function_call_arguments.delta");

	private final EventData eventData = new EventData();

	private final byte[] fieldName = new byte[MAX_FIELD_NAME];

	private final byte[] eventName = new byte[MAX_EVENT_NAME];

	private final List<RunUsage> runs = new ArrayList<>();

	private final List<String> createdIds = new ArrayList<>();

	private byte[] data = new byte[1024];

	private byte @Nullable [] slice;

	private LineState lineState = LineState.FIELD;

	private int fieldNameLength;

	private Field field = Field.OTHER;

	private boolean lineEmpty = true;

	private boolean afterCarriageReturn;

	private int dataLength;

	private int dataLines;

	private boolean oversized;

	private int eventNameLength;

	private boolean ended;

	private long dispatched;

	private @Nullable EventData lastEvent;

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
			ByteBuffer source = chunk.duplicate();
			if (source.hasArray()) {
				read(source.array(), source.arrayOffset() + source.position(), source.remaining());
				return;
			}
			byte[] bytes = slice(source.remaining());
			while (source.hasRemaining()) {
				int length = Math.min(source.remaining(), bytes.length);
				source.get(bytes, 0, length);
				read(bytes, 0, length);
			}
		}
		catch (RuntimeException ex) {
			// Unexpected; lose this event rather than the stream.
			resetEvent();
		}
	}

	/**
	 * Marks the end of the stream: an event still pending is dispatched as if a blank
	 * line had followed it.
	 */
	public void end() {
		if (this.ended) {
			return;
		}
		try {
			if (!this.lineEmpty) {
				endOfLine();
			}
			dispatch();
		}
		catch (RuntimeException ex) {
			resetEvent();
		}
		this.ended = true;
		this.slice = null;
		this.data = new byte[0];
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
	 * Assistants runs that ended in this stream with their usage, in the order seen.
	 * @return the terminal runs (at most {@value #MAX_RUNS})
	 */
	public List<RunUsage> terminalRuns() {
		return Collections.unmodifiableList(this.runs);
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
	 * Whether the stream sent its {@code data: [DONE]} event.
	 * @return {@code true} once {@code [DONE]} was seen
	 */
	public boolean done() {
		return this.done;
	}

	/**
	 * Events dispatched so far that had data.
	 * @return the count
	 */
	long dispatchedEvents() {
		return this.dispatched;
	}

	/**
	 * What the last dispatched event's JSON data held.
	 * @return the data read, or {@code null} when the last event was not read as JSON
	 */
	@Nullable EventData lastEvent() {
		return this.lastEvent;
	}

	private byte[] slice(int wanted) {
		byte[] bytes = this.slice;
		if (bytes == null || bytes.length < Math.min(wanted, SLICE_SIZE)) {
			bytes = new byte[Math.max(64, Math.min(wanted, SLICE_SIZE))];
			this.slice = bytes;
		}
		return bytes;
	}

	private void read(byte[] bytes, int offset, int length) {
		int end = offset + length;
		int index = offset;
		while (index < end) {
			byte b = bytes[index];
			if (this.afterCarriageReturn) {
				this.afterCarriageReturn = false;
				if (b == '\n') {
					index++;
					continue;
				}
			}
			if (b == '\r' || b == '\n') {
				this.afterCarriageReturn = b == '\r';
				endOfLine();
				index++;
				continue;
			}
			this.lineEmpty = false;
			switch (this.lineState) {
				case FIELD -> {
					fieldByte(b);
					index++;
				}
				case VALUE_START -> {
					this.lineState = LineState.VALUE;
					if (b == ' ') {
						index++;
					}
				}
				case VALUE -> index = value(bytes, index, end);
				case IGNORE -> index++;
			}
		}
	}

	private void fieldByte(byte b) {
		if (b != ':') {
			if (this.fieldNameLength < MAX_FIELD_NAME) {
				this.fieldName[this.fieldNameLength] = b;
			}
			this.fieldNameLength++;
			return;
		}
		if (this.fieldNameLength == 0) {
			this.lineState = LineState.IGNORE;
			return;
		}
		startValue();
		this.lineState = (this.field == Field.OTHER) ? LineState.IGNORE : LineState.VALUE_START;
	}

	private void startValue() {
		this.field = field();
		if (this.field == Field.DATA) {
			if (this.dataLines > 0) {
				appendData(LINE_FEED, 0, 1);
			}
			this.dataLines++;
		}
		else if (this.field == Field.EVENT) {
			this.eventNameLength = 0;
		}
	}

	private Field field() {
		if (is("data")) {
			return Field.DATA;
		}
		return is("event") ? Field.EVENT : Field.OTHER;
	}

	private boolean is(String name) {
		if (this.fieldNameLength != name.length()) {
			return false;
		}
		for (int index = 0; index < this.fieldNameLength; index++) {
			if (this.fieldName[index] != name.charAt(index)) {
				return false;
			}
		}
		return true;
	}

	// Copies the rest of the line's value in one go; returns where the line ends.
	private int value(byte[] bytes, int start, int end) {
		int index = start;
		while (index < end && bytes[index] != '\r' && bytes[index] != '\n') {
			index++;
		}
		if (this.field == Field.DATA) {
			appendData(bytes, start, index - start);
		}
		else {
			int length = Math.min(index - start, MAX_EVENT_NAME - this.eventNameLength);
			System.arraycopy(bytes, start, this.eventName, this.eventNameLength, length);
			this.eventNameLength += length;
		}
		return index;
	}

	private void appendData(byte[] bytes, int offset, int length) {
		if (this.oversized) {
			return;
		}
		if (this.dataLength + length > MAX_EVENT_BYTES) {
			this.oversized = true;
			this.dataLength = 0;
			return;
		}
		if (this.dataLength + length > this.data.length) {
			int capacity = Math.max(this.dataLength + length, Math.min(this.data.length * 2, MAX_EVENT_BYTES));
			byte[] grown = new byte[capacity];
			System.arraycopy(this.data, 0, grown, 0, this.dataLength);
			this.data = grown;
		}
		System.arraycopy(bytes, offset, this.data, this.dataLength, length);
		this.dataLength += length;
	}

	private void endOfLine() {
		if (this.lineEmpty) {
			dispatch();
		}
		else if (this.lineState == LineState.FIELD && this.fieldNameLength > 0) {
			// A line without a colon is a field name with an empty value.
			startValue();
		}
		this.lineState = LineState.FIELD;
		this.fieldNameLength = 0;
		this.field = Field.OTHER;
		this.lineEmpty = true;
	}

	private void dispatch() {
		try {
			if (this.dataLines > 0) {
				this.dispatched++;
				this.lastEvent = null;
				if (!this.oversized) {
					handleEvent();
				}
			}
		}
		finally {
			resetEvent();
		}
	}

	private void resetEvent() {
		this.dataLength = 0;
		this.dataLines = 0;
		this.oversized = false;
		this.eventNameLength = 0;
		if (this.data.length > RETAINED_DATA_CAPACITY) {
			this.data = new byte[1024];
		}
	}

	private void handleEvent() {
		if (isDone()) {
			this.done = true;
			return;
		}
		if (!startsLikeJson()) {
			return;
		}
		EventData event = this.eventData;
		event.read(this.data, this.dataLength);
		this.lastEvent = event;
		String name = (this.eventNameLength > 0)
				? new String(this.eventName, 0, this.eventNameLength, StandardCharsets.UTF_8) : event.type;
		this.generatedCharacters = TokenUsage.addSaturated(this.generatedCharacters, event.choicesCharacters);
		if (name == null) {
			// Chat and completions chunks are data-only events. An Assistants object's
			// usage is only taken from its terminal event, never from a nameless one.
			if ((event.usage != null || event.usageUnusable)
					&& (event.object == null || !event.object.startsWith("thread."))) {
				// An unusable usage replaces what came before: the stream's usage is
				// then unknown, and the call is charged its estimate.
				this.usage = event.usage;
			}
			return;
		}
		if (name.equals("thread.created") && event.id != null) {
			createdId(event.id);
		}
		else if (name.equals("response.created") && event.responseId != null) {
			createdId(event.responseId);
		}
		if (TERMINAL_RESPONSE_EVENTS.contains(name) && (event.responseUsage != null || event.responseUsageUnusable)) {
			this.usage = event.responseUsage;
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
	}

	private void createdId(String id) {
		if (this.createdIds.size() < MAX_RUNS) {
			this.createdIds.add(id);
		}
	}

	private void terminalRun(String name, EventData event) {
		TokenUsage runUsage = event.usage;
		String runId = event.id;
		if (runUsage == null || runId == null || this.runs.size() >= MAX_RUNS) {
			return;
		}
		String status = (event.status != null) ? event.status : name.substring("thread.run.".length());
		this.runs.add(new RunUsage(runId, status, runUsage));
	}

	private boolean isDone() {
		if (this.dataLength != DONE.length) {
			return false;
		}
		for (int index = 0; index < DONE.length; index++) {
			if (this.data[index] != DONE[index]) {
				return false;
			}
		}
		return true;
	}

	// Cheap check that spares a parser for data that is plainly not a JSON object.
	private boolean startsLikeJson() {
		for (int index = 0; index < this.dataLength; index++) {
			byte b = this.data[index];
			if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
				return b == '{';
			}
		}
		return false;
	}

	private enum LineState {

		/** Reading the field name, up to the colon. */
		FIELD,
		/** Just after the colon: one space is skipped. */
		VALUE_START,
		/** Reading the value of a data or event field. */
		VALUE,
		/** A comment or a field the parser does not need. */
		IGNORE

	}

	private enum Field {

		DATA, EVENT, OTHER

	}

}
