package io.aoaigateway.usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What one server-sent event's JSON data says about usage and generated text: read in one
 * pass over the complete data bytes, and reused from event to event.
 */
final class EventData {

	private static final JsonFactory JSON = new JsonFactory();

	/**
	 * Longest top-level {@code type}, {@code id}, {@code object} or {@code status} kept.
	 */
	private static final int MAX_FIELD_LENGTH = 256;

	/** Deepest path compared; every path below is shorter. */
	private static final int MAX_TRACKED_DEPTH = 8;

	// Paths of generated text. null stands for "any element of an array".
	private static final @Nullable String[][] GENERATED_TEXT = { { "choices", null, "delta", "content" },
			{ "choices", null, "delta", "refusal" },
			{ "choices", null, "delta", "tool_calls", null, "function", "arguments" },
			{ "choices", null, "delta", "function_call", "arguments" }, { "choices", null, "text" } };

	private static final String[] RESPONSES_DELTA = { "delta" };

	private static final String[] RESPONSE_STATUS = { "response", "status" };

	private static final String[] ITEM_ID = { "item", "id" };

	private static final String[] ITEM_CALL_ID = { "item", "call_id" };

	private static final @Nullable String[] OUTPUT_CALL_ID = { "response", "output", null, "call_id" };

	private static final @Nullable String[] OUTPUT_ID = { "response", "output", null, "id" };

	/** Most output ids kept from one event. */
	private static final int MAX_OUTPUT_IDS = 64;

	private static final @Nullable String[] MESSAGE_DELTA = { "delta", "content", null, "text", "value" };

	private final UsageCounters counters = new UsageCounters();

	/** keys[level] is the current property of the container open at that level. */
	private final @Nullable String[] keys = new String[MAX_TRACKED_DEPTH + 1];

	private int level;

	private @Nullable Target reading;

	private boolean choicesJustOpened;

	private long usageNameStart;

	@Nullable String type;

	@Nullable String id;

	@Nullable String object;

	@Nullable String status;

	/** Top-level {@code thread_id}, as in Assistants run events. */
	@Nullable String threadId;

	/**
	 * Top-level {@code usage} object; {@code null} when absent, JSON null or unusable.
	 */
	@Nullable TokenUsage usage;

	/** Whether a top-level {@code usage} object was there but unusable. */
	boolean usageUnusable;

	/** {@code response.id}, as in Responses API events. */
	@Nullable String responseId;

	/** {@code response.status}, as in Responses API events. */
	@Nullable String responseStatus;

	/** Whether {@code response.background} is {@code true}. */
	boolean responseBackground;

	/** {@code item.id}, as in {@code response.output_item.added} and {@code .done}. */
	@Nullable String itemId;

	/** {@code item.call_id} of a function or tool call item. */
	@Nullable String itemCallId;

	/**
	 * Ids (and call ids) of {@code response.output[]}, as in {@code response.completed}.
	 */
	final List<String> outputIds = new ArrayList<>();

	/** {@code response.usage}, as in Responses API events; {@code null} when unusable. */
	@Nullable TokenUsage responseUsage;

	/** Whether a {@code response.usage} object was there but unusable. */
	boolean responseUsageUnusable;

	/** Characters of chat and completions text in {@code choices}. */
	long choicesCharacters;

	/** Characters of a top-level {@code delta} string (Responses API delta events). */
	long deltaCharacters;

	/** Characters of {@code delta.content[].text.value} (Assistants message deltas). */
	long messageDeltaCharacters;

	/** Whether the top-level {@code choices} is an empty array. */
	boolean emptyChoices;

	/**
	 * Byte range of a top-level {@code "usage": null} member, from the start of the data,
	 * or -1.
	 */
	int usageNullStart;

	int usageNullEnd;

	/**
	 * JSON values at the root of the data (more than one when blank lines went missing).
	 */
	int roots;

	/** Whether the data was read to its end without error. */
	boolean complete;

	/**
	 * Reads one event's data; whatever was read before an error is kept.
	 * @param data the buffer holding the data
	 * @param offset where the data starts in it; byte ranges read are relative to it
	 * @param length how many bytes of it are the data
	 */
	void read(byte[] data, int offset, int length) {
		reset();
		try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), data, offset, length)) {
			JsonToken token;
			while ((token = parser.nextToken()) != null) {
				accept(parser, token);
			}
			this.complete = true;
		}
		catch (RuntimeException ex) {
			this.complete = false;
		}
	}

	private void reset() {
		Arrays.fill(this.keys, null);
		this.level = 0;
		this.reading = null;
		this.choicesJustOpened = false;
		this.usageNameStart = -1;
		this.type = null;
		this.id = null;
		this.object = null;
		this.status = null;
		this.threadId = null;
		this.usage = null;
		this.usageUnusable = false;
		this.responseUsage = null;
		this.responseUsageUnusable = false;
		this.responseId = null;
		this.responseStatus = null;
		this.responseBackground = false;
		this.itemId = null;
		this.itemCallId = null;
		this.outputIds.clear();
		this.choicesCharacters = 0;
		this.deltaCharacters = 0;
		this.messageDeltaCharacters = 0;
		this.emptyChoices = false;
		this.usageNullStart = -1;
		this.usageNullEnd = -1;
		this.roots = 0;
		this.complete = false;
	}

	private void accept(JsonParser parser, JsonToken token) {
		Target target = this.reading;
		if (target != null) {
			if (this.counters.accept(parser, token)) {
				TokenUsage read = this.counters.usage();
				if (target == Target.USAGE) {
					this.usage = read;
					this.usageUnusable = read == null;
				}
				else {
					this.responseUsage = read;
					this.responseUsageUnusable = read == null;
				}
				this.reading = null;
			}
			return;
		}
		boolean emptyArray = this.choicesJustOpened && token == JsonToken.END_ARRAY;
		this.choicesJustOpened = false;
		switch (token) {
			case PROPERTY_NAME -> {
				if (this.level <= MAX_TRACKED_DEPTH) {
					this.keys[this.level] = parser.currentName();
				}
				if (this.level == 1 && "usage".equals(this.keys[1])) {
					this.usageNameStart = parser.currentTokenLocation().getByteOffset();
				}
			}
			case START_OBJECT, START_ARRAY -> open(token);
			case END_OBJECT, END_ARRAY -> {
				if (emptyArray && this.level == 2) {
					this.emptyChoices = true;
				}
				this.level--;
				if (this.level == 0) {
					this.roots++;
				}
			}
			case VALUE_STRING -> text(parser);
			case VALUE_TRUE -> {
				if (this.level == 2 && this.roots == 0 && "response".equals(this.keys[1])
						&& "background".equals(this.keys[2])) {
					this.responseBackground = true;
				}
			}
			case VALUE_NULL -> {
				if (this.level == 1 && "usage".equals(this.keys[1]) && this.roots == 0) {
					this.usageNullStart = (int) this.usageNameStart;
					this.usageNullEnd = (int) parser.currentLocation().getByteOffset();
				}
			}
			default -> {
			}
		}
		if (this.level == 0 && token.isScalarValue()) {
			this.roots++;
		}
	}

	private void open(JsonToken token) {
		boolean isObject = token == JsonToken.START_OBJECT;
		if (isObject && this.level == 1 && "usage".equals(this.keys[1])) {
			this.counters.start();
			this.reading = Target.USAGE;
			return;
		}
		if (isObject && this.level == 2 && "response".equals(this.keys[1]) && "usage".equals(this.keys[2])) {
			this.counters.start();
			this.reading = Target.RESPONSE_USAGE;
			return;
		}
		this.choicesJustOpened = !isObject && this.level == 1 && "choices".equals(this.keys[1]);
		this.level++;
		if (this.level <= MAX_TRACKED_DEPTH) {
			this.keys[this.level] = null;
		}
	}

	private void text(JsonParser parser) {
		if (this.level == 2 && this.roots == 0 && "response".equals(this.keys[1]) && "id".equals(this.keys[2])
				&& parser.getStringLength() <= MAX_FIELD_LENGTH) {
			this.responseId = parser.getString();
			return;
		}
		if (this.roots == 0 && parser.getStringLength() <= MAX_FIELD_LENGTH && objectState(parser)) {
			return;
		}
		if (this.level == 1) {
			topLevelString(parser);
			if (at(RESPONSES_DELTA)) {
				this.deltaCharacters += parser.getStringLength();
			}
			return;
		}
		for (String[] path : GENERATED_TEXT) {
			if (at(path)) {
				this.choicesCharacters += parser.getStringLength();
				return;
			}
		}
		if (at(MESSAGE_DELTA)) {
			this.messageDeltaCharacters += parser.getStringLength();
		}
	}

	// The status and item ids of a Responses API event; other events' strings (chat
	// deltas above all) leave at the first comparison.
	private boolean objectState(JsonParser parser) {
		String member = this.keys[1];
		if (!"response".equals(member) && !"item".equals(member)) {
			return false;
		}
		if (at(RESPONSE_STATUS)) {
			this.responseStatus = parser.getString();
		}
		else if (at(ITEM_ID)) {
			this.itemId = parser.getString();
		}
		else if (at(ITEM_CALL_ID)) {
			this.itemCallId = parser.getString();
		}
		else if ((at(OUTPUT_ID) || at(OUTPUT_CALL_ID)) && this.outputIds.size() < MAX_OUTPUT_IDS) {
			this.outputIds.add(parser.getString());
		}
		else {
			return false;
		}
		return true;
	}

	private void topLevelString(JsonParser parser) {
		String name = this.keys[1];
		if (name == null || this.roots > 0 || parser.getStringLength() > MAX_FIELD_LENGTH) {
			return;
		}
		switch (name) {
			case "type" -> this.type = parser.getString();
			case "id" -> this.id = parser.getString();
			case "object" -> this.object = parser.getString();
			case "status" -> this.status = parser.getString();
			case "thread_id" -> this.threadId = parser.getString();
			default -> {
			}
		}
	}

	private boolean at(@Nullable String[] path) {
		if (this.level != path.length) {
			return false;
		}
		for (int index = 0; index < path.length; index++) {
			String expected = path[index];
			String actual = this.keys[index + 1];
			if ((expected == null) ? actual != null : !expected.equals(actual)) {
				return false;
			}
		}
		return true;
	}

	private enum Target {

		USAGE, RESPONSE_USAGE

	}

}
