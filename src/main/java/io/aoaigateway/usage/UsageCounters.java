package io.aoaigateway.usage;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads the members of one {@code usage} object, token by token, so that both the
 * non-blocking JSON reader and the SSE event reader can share the field mapping.
 * <p>
 * A count it reads must be a JSON integer from 0 to {@link TokenUsage#MAX_TOKENS}. Any
 * other value in a count it reads (negative, fractional, a string, a boolean, an object,
 * too large), a {@code null} input, output or total, or a usage object without any of
 * them, makes the whole usage unusable: {@link #usage()} is then {@code null}, as if the
 * backend had reported none, so that the call is charged its estimate rather than what a
 * broken or hostile backend wrote.
 */
final class UsageCounters {

	private long input;

	private long output;

	private long cached;

	private long reasoning;

	private long total;

	private boolean sawInputOrOutput;

	private boolean sawTotal;

	private boolean unusable;

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
		this.unusable = false;
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
				if (isCount()) {
					// A container where a count belongs.
					this.unusable = true;
				}
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
			case VALUE_NUMBER_INT -> count(countValue(parser));
			case VALUE_NULL -> {
				// Details are informative only: a null there is as good as absent.
				if (this.depth == 0 && isCount()) {
					this.unusable = true;
				}
			}
			case VALUE_NUMBER_FLOAT, VALUE_STRING, VALUE_TRUE, VALUE_FALSE, VALUE_EMBEDDED_OBJECT -> {
				if (isCount()) {
					this.unusable = true;
				}
			}
			default -> {
			}
		}
		return false;
	}

	private void count(long value) {
		String field = this.name;
		if (field == null || !isCount()) {
			return;
		}
		if (value < 0) {
			this.unusable = true;
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

	// Whether the current value is one of the counts read: the direct input, output and
	// total, and the cached and reasoning counts of their details.
	private boolean isCount() {
		String field = this.name;
		if (field == null) {
			return false;
		}
		if (this.depth == 0) {
			return switch (field) {
				case "prompt_tokens", "input_tokens", "completion_tokens", "output_tokens", "total_tokens" -> true;
				default -> false;
			};
		}
		if (this.depth != 1 || this.section == null) {
			return false;
		}
		return switch (this.section) {
			case "prompt_tokens_details", "input_tokens_details" -> field.equals("cached_tokens");
			case "completion_tokens_details", "output_tokens_details" -> field.equals("reasoning_tokens");
			default -> false;
		};
	}

	// -1 for a count that is negative, does not fit a long, or is above the ceiling.
	private static long countValue(JsonParser parser) {
		JsonParser.NumberType type = parser.getNumberType();
		if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
			return -1;
		}
		long value = parser.getLongValue();
		return (value >= 0 && value <= TokenUsage.MAX_TOKENS) ? value : -1;
	}

	/**
	 * The usage read so far; call after {@link #accept} returned {@code true}.
	 * @return the usage, with a lone {@code total_tokens} taken as input; {@code null}
	 * when it is unusable (see the class comment)
	 */
	@Nullable TokenUsage usage() {
		if (this.unusable || (!this.sawInputOrOutput && !this.sawTotal)) {
			return null;
		}
		long in = (!this.sawInputOrOutput) ? this.total : this.input;
		return new TokenUsage(in, this.output, this.cached, this.reasoning);
	}

}
