package io.aoaigateway.usage;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the members of one {@code usage} object, token by token, so that both the
 * non-blocking JSON reader and the SSE event reader can share the field mapping.
 */
final class UsageCounters {

	private long input;

	private long output;

	private long cached;

	private long reasoning;

	private long total;

	private boolean sawInputOrOutput;

	private boolean sawTotal;

	/** Containers open inside the usage object: 0 means directly in it. */
	private int depth;

	private @Nullable String name;

	/** The {@code *_details} object the reader is in, when at depth 1. */
	private @Nullable String section;

	/**
	 * Starts a new usage object; call after its {@code START_OBJECT}.
	 */
	void start() {
		this.input = 0;
		this.output = 0;
		this.cached = 0;
		this.reasoning = 0;
		this.total = 0;
		this.sawInputOrOutput = false;
		this.sawTotal = false;
		this.depth = 0;
		this.name = null;
		this.section = null;
	}

	/**
	 * Takes the next token inside the usage object.
	 * @param parser the parser positioned on the token
	 * @param token the token
	 * @return whether the token closed the usage object
	 */
	boolean accept(JsonParser parser, JsonToken token) {
		switch (token) {
			case PROPERTY_NAME -> {
				if (this.depth <= 1) {
					this.name = parser.currentName();
				}
			}
			case START_OBJECT, START_ARRAY -> {
				if (this.depth == 0) {
					this.section = (token == JsonToken.START_OBJECT) ? this.name : null;
				}
				this.depth++;
			}
			case END_OBJECT, END_ARRAY -> {
				if (this.depth == 0) {
					return true;
				}
				this.depth--;
			}
			case VALUE_NUMBER_INT -> count(longValue(parser));
			default -> {
			}
		}
		return false;
	}

	private void count(long value) {
		String field = this.name;
		if (field == null) {
			return;
		}
		if (this.depth == 0) {
			switch (field) {
				case "prompt_tokens", "input_tokens" -> {
					this.input = value;
					this.sawInputOrOutput = true;
				}
				case "completion_tokens", "output_tokens" -> {
					this.output = value;
					this.sawInputOrOutput = true;
				}
				case "total_tokens" -> {
					this.total = value;
					this.sawTotal = true;
				}
				default -> {
				}
			}
		}
		else if (this.depth == 1 && this.section != null) {
			switch (this.section) {
				case "prompt_tokens_details", "input_tokens_details" -> {
					if (field.equals("cached_tokens")) {
						this.cached = value;
					}
				}
				case "completion_tokens_details", "output_tokens_details" -> {
					if (field.equals("reasoning_tokens")) {
						this.reasoning = value;
					}
				}
				default -> {
				}
			}
		}
	}

	// A count that does not fit a long, or is negative, is not a count we can charge.
	private static long longValue(JsonParser parser) {
		JsonParser.NumberType type = parser.getNumberType();
		if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
			return 0;
		}
		return Math.max(0, parser.getLongValue());
	}

	/**
	 * The usage read so far; call after {@link #accept} returned {@code true}.
	 * @return the usage, with a lone {@code total_tokens} taken as input
	 */
	TokenUsage usage() {
		long in = (!this.sawInputOrOutput && this.sawTotal) ? this.total : this.input;
		return new TokenUsage(in, this.output, this.cached, this.reasoning);
	}

}
