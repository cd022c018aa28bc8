package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.async.ByteArrayFeeder;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the top-level {@code usage}, {@code id}, {@code object}, {@code status} and
 * {@code background} of a JSON response body, and the ids of a Responses API answer's
 * {@code output} items, as the body passes through the gateway, one network chunk at a
 * time, without buffering the body.
 * <p>
 * Not thread-safe: one instance per response, fed in order. Never throws.
 */
public final class JsonUsageParser {

	/**
	 * Longest string value the parser holds, in characters. Jackson buffers each string
	 * value whole (image bodies carry multi-megabyte base64 strings); this bounds it
	 * below Jackson's 100M default.
	 */
	static final int MAX_STRING_LENGTH = 32 * 1024 * 1024;

	/** Longest top-level {@code id}, {@code object} or {@code status} kept. */
	static final int MAX_FIELD_LENGTH = 256;

	/** Most output item ids kept from one answer. */
	static final int MAX_ITEM_IDS = 64;

	private static final JsonFactory JSON = JsonFactory.builder()
		.streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build())
		.build();

	// Chunks are copied through this slice, so the parser never keeps a reference to a
	// caller's (possibly pooled) buffer.
	private static final int SLICE_SIZE = 8192;

	private final JsonParser parser = JSON.createNonBlockingByteArrayParser(ObjectReadContext.empty());

	private final ByteArrayFeeder feeder = (ByteArrayFeeder) this.parser.nonBlockingInputFeeder();

	private final UsageCounters counters = new UsageCounters();

	private byte @Nullable [] slice;

	/** Containers open; 1 means directly in the root object. */
	private int depth;

	private @Nullable String property;

	/** Whether the top-level {@code output} is the array open at depth 2. */
	private boolean inOutput;

	/** Whether the top-level {@code file} is the object open at depth 2. */
	private boolean inFile;

	/** The current property of the top-level {@code file} object. */
	private @Nullable String fileProperty;

	private @Nullable String fileId;

	/** The current property of an {@code output} item (depth 3). */
	private @Nullable String itemProperty;

	private final List<String> itemIds = new ArrayList<>();

	private boolean background;

	private boolean inUsage;

	private boolean finished;

	private boolean malformed;

	private @Nullable TokenUsage usage;

	private @Nullable String id;

	private @Nullable String object;

	private @Nullable String status;

	private @Nullable String threadId;

	/**
	 * Reads the next chunk of the body. The chunk's position and limit are left as they
	 * were.
	 * @param chunk the next bytes of the body
	 */
	public void feed(ByteBuffer chunk) {
		if (this.finished) {
			return;
		}
		try {
			ByteBuffer source = chunk.duplicate();
			byte[] bytes = slice(source.remaining());
			while (source.hasRemaining() && !this.finished) {
				int length = Math.min(source.remaining(), bytes.length);
				source.get(bytes, 0, length);
				this.feeder.feedInput(bytes, 0, length);
				readAvailableTokens();
			}
		}
		catch (RuntimeException ex) {
			fail();
		}
	}

	/**
	 * Marks the end of the body. A body that ends before its root value is complete is
	 * {@link #malformed()}.
	 */
	public void end() {
		if (this.finished) {
			return;
		}
		try {
			this.feeder.endOfInput();
			readAvailableTokens();
			if (!this.finished) {
				// Empty body, or a root value that never closed.
				fail();
			}
		}
		catch (RuntimeException ex) {
			fail();
		}
	}

	/**
	 * The top-level {@code usage}, once its object is complete.
	 * @return the usage, or {@code null} when absent, JSON {@code null}, unusable (a
	 * count that is not an integer from 0 to {@link TokenUsage#MAX_TOKENS}), or not read
	 * completely before the body turned out malformed
	 */
	public @Nullable TokenUsage usage() {
		return this.usage;
	}

	/**
	 * The top-level {@code id}, e.g. {@code run_...} for an Assistants run.
	 * @return the id, or {@code null} when absent or not a string
	 */
	public @Nullable String id() {
		return this.id;
	}

	/**
	 * The top-level {@code object}, e.g. {@code thread.run}.
	 * @return the object type, or {@code null} when absent or not a string
	 */
	public @Nullable String object() {
		return this.object;
	}

	/**
	 * The top-level {@code status}, e.g. {@code completed}.
	 * @return the status, or {@code null} when absent or not a string
	 */
	public @Nullable String status() {
		return this.status;
	}

	/**
	 * The top-level {@code thread_id}, e.g. of a run created with its thread.
	 * @return the thread id, or {@code null} when absent
	 */
	public @Nullable String threadId() {
		return this.threadId;
	}

	/**
	 * Ids of the top-level {@code output} array's items, e.g. {@code msg_…} and
	 * {@code rs_…} of a Responses API answer, and the {@code call_id} of its function and
	 * tool calls (which a later {@code function_call_output} names).
	 * @return the ids in order, at most {@value #MAX_ITEM_IDS}
	 */
	public List<String> itemIds() {
		return Collections.unmodifiableList(this.itemIds);
	}

	/**
	 * The {@code id} of the top-level {@code file} object, e.g. of the file a completed
	 * upload became.
	 * @return the file's id, or {@code null} when absent
	 */
	public @Nullable String fileId() {
		return this.fileId;
	}

	/**
	 * Whether the top-level {@code background} is {@code true}: a Responses API answer
	 * for a response that runs in the background.
	 * @return {@code true} for a background response
	 */
	public boolean background() {
		return this.background;
	}

	/**
	 * Whether the body was not valid JSON, or ended before its root value was complete.
	 * @return {@code true} when the body could not be read to its end
	 */
	public boolean malformed() {
		return this.malformed;
	}

	private byte[] slice(int wanted) {
		byte[] bytes = this.slice;
		if (bytes == null || bytes.length < Math.min(wanted, SLICE_SIZE)) {
			bytes = new byte[Math.max(64, Math.min(wanted, SLICE_SIZE))];
			this.slice = bytes;
		}
		return bytes;
	}

	private void readAvailableTokens() {
		while (!this.finished) {
			JsonToken token = this.parser.nextToken();
			if (token == null || token == JsonToken.NOT_AVAILABLE) {
				return;
			}
			accept(token);
		}
	}

	private void accept(JsonToken token) {
		if (this.inUsage) {
			if (this.counters.accept(this.parser, token)) {
				this.usage = this.counters.usage();
				this.inUsage = false;
			}
			return;
		}
		if (this.depth == 0 && token != JsonToken.START_OBJECT) {
			// An array or a scalar body: there is no top-level usage to find.
			finish();
			return;
		}
		switch (token) {
			case PROPERTY_NAME -> {
				if (this.depth == 1) {
					this.property = this.parser.currentName();
				}
				else if (this.depth == 3 && this.inOutput) {
					this.itemProperty = this.parser.currentName();
				}
				else if (this.depth == 2 && this.inFile) {
					this.fileProperty = this.parser.currentName();
				}
			}
			case START_OBJECT, START_ARRAY -> {
				if (this.depth == 1 && token == JsonToken.START_OBJECT && "usage".equals(this.property)) {
					this.counters.start();
					this.inUsage = true;
				}
				else {
					this.inOutput = this.inOutput
							|| (this.depth == 1 && token == JsonToken.START_ARRAY && "output".equals(this.property));
					this.inFile = this.inFile
							|| (this.depth == 1 && token == JsonToken.START_OBJECT && "file".equals(this.property));
					this.fileProperty = null;
					this.itemProperty = null;
					this.depth++;
				}
			}
			case END_OBJECT, END_ARRAY -> {
				this.depth--;
				if (this.depth == 1) {
					this.inOutput = false;
					this.inFile = false;
				}
				if (this.depth == 0) {
					finish();
				}
			}
			case VALUE_STRING -> {
				if (this.depth == 1) {
					topLevelString();
				}
				else if (this.depth == 3 && this.inOutput
						&& ("id".equals(this.itemProperty) || "call_id".equals(this.itemProperty))) {
					itemId();
				}
				else if (this.depth == 2 && this.inFile && "id".equals(this.fileProperty)
						&& this.parser.getStringLength() <= MAX_FIELD_LENGTH) {
					this.fileId = this.parser.getString();
				}
			}
			case VALUE_TRUE -> {
				if (this.depth == 1 && "background".equals(this.property)) {
					this.background = true;
				}
			}
			default -> {
			}
		}
	}

	private void topLevelString() {
		String name = this.property;
		if (name == null || this.parser.getStringLength() > MAX_FIELD_LENGTH) {
			return;
		}
		switch (name) {
			case "id" -> this.id = this.parser.getString();
			case "object" -> this.object = this.parser.getString();
			case "status" -> this.status = this.parser.getString();
			case "thread_id" -> this.threadId = this.parser.getString();
			default -> {
			}
		}
	}

	private void itemId() {
		if (this.itemIds.size() < MAX_ITEM_IDS && this.parser.getStringLength() <= MAX_FIELD_LENGTH) {
			this.itemIds.add(this.parser.getString());
		}
	}

	// Whatever follows the root value is not read: the usage is known by then.
	private void finish() {
		this.finished = true;
		this.slice = null;
		try {
			this.parser.close();
		}
		catch (RuntimeException ex) {
			// Nothing more is read from it either way.
		}
	}

	private void fail() {
		this.malformed = true;
		this.inUsage = false;
		finish();
	}

}
