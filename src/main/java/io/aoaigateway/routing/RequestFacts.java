package io.aoaigateway.routing;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the gateway needs to know of a JSON request body, read once, in one streaming pass
 * without building a tree: the members that route, estimate and amend the call, and the
 * stateful objects it refers to.
 *
 * @param problem why the body is not one JSON object, or null when it is
 * @param model the top-level {@code model}, when it is a string
 * @param modelStart where the {@code model} string (with its quotes) starts in the body,
 * or -1
 * @param modelEnd where it ends (exclusive), or -1
 * @param stream {@code stream: true}
 * @param streamOptions whether a {@code stream_options} member is present
 * @param includeUsage {@code stream_options.include_usage: true}
 * @param user whether a {@code user} member is present
 * @param maxOutputTokens {@code max_completion_tokens}, else {@code max_tokens}, else
 * {@code max_output_tokens}
 * @param choices the larger of {@code n} and {@code best_of}, at least 1
 * @param references ids of the objects the body refers to ({@code thread_id},
 * {@code file_ids}, {@code previous_response_id}, {@code conversation} as a string or
 * {@code {"id": …}}…, at any depth; and the {@code id} and {@code call_id} of each item
 * of a top-level {@code input} array: reasoning items, {@code item_reference}s, earlier
 * output, function call outputs), in order of appearance, at most
 * {@value #MAX_REFERENCES}
 */
public record RequestFacts(@Nullable String problem, @Nullable String model, int modelStart, int modelEnd,
		boolean stream, boolean streamOptions, boolean includeUsage, boolean user, @Nullable Long maxOutputTokens,
		long choices, Set<String> references) {

	/** The facts of a call without a JSON body. */
	public static final RequestFacts NONE = new RequestFacts("The request has no JSON body.", null, -1, -1, false,
			false, false, false, null, 1, Set.of());

	// Body members that refer to objects, wherever they appear (tool_resources,
	// attachments…).
	private static final Set<String> REFERENCES = Set.of("assistant_id", "thread_id", "file_id", "file_ids",
			"vector_store_id", "vector_store_ids", "previous_response_id", "input_file_id", "conversation");

	private static final int MAX_DEPTH = 16;

	/**
	 * Most references kept from one body; each is looked up in the shared store, and a
	 * hostile body must not turn one call into a huge lookup.
	 */
	public static final int MAX_REFERENCES = 256;

	private static final JsonMapper JSON = JsonMapper.shared();

	/**
	 * @return whether the body is one JSON object and nothing else
	 */
	public boolean valid() {
		return this.problem == null;
	}

	/**
	 * Reads a body.
	 * @param body the body
	 * @return its facts; {@link #problem()} says why a body is not one JSON object
	 */
	public static RequestFacts read(byte[] body) {
		Builder facts = new Builder();
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return invalid("The request body must be a JSON object.");
			}
			JsonToken token;
			while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				facts.topLevel(parser, name, value);
			}
			if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
				return invalid("The request body is not valid JSON.");
			}
			return facts.build();
		}
		catch (JacksonException ex) {
			return invalid("The request body is not valid JSON: " + ex.getOriginalMessage());
		}
	}

	private static RequestFacts invalid(String problem) {
		return new RequestFacts(problem, null, -1, -1, false, false, false, false, null, 1, Set.of());
	}

	private static final class Builder {

		private @Nullable String model;

		private int modelStart = -1;

		private int modelEnd = -1;

		private boolean stream;

		private boolean streamOptions;

		private boolean includeUsage;

		private boolean user;

		private @Nullable Long maxCompletion;

		private @Nullable Long maxTokens;

		private @Nullable Long maxOutput;

		private long choices = 1;

		private @Nullable Set<String> references;

		void topLevel(JsonParser parser, String name, JsonToken value) {
			switch (name) {
				case "model" -> {
					if (value == JsonToken.VALUE_STRING) {
						this.modelStart = (int) parser.currentTokenLocation().getByteOffset();
						this.model = parser.getString();
						this.modelEnd = (int) parser.currentLocation().getByteOffset();
					}
					else {
						parser.skipChildren();
					}
				}
				case "stream" -> this.stream = value == JsonToken.VALUE_TRUE;
				case "stream_options" -> {
					this.streamOptions = true;
					this.includeUsage = value == JsonToken.START_OBJECT && readIncludeUsage(parser);
				}
				case "user" -> {
					this.user = true;
					parser.skipChildren();
				}
				case "max_completion_tokens" -> this.maxCompletion = count(parser, value);
				case "max_tokens" -> this.maxTokens = count(parser, value);
				case "max_output_tokens" -> this.maxOutput = count(parser, value);
				case "input" -> {
					if (value == JsonToken.START_ARRAY) {
						inputItems(parser);
					}
					else {
						member(parser, name, value, 0);
					}
				}
				case "n", "best_of" -> {
					Long n = count(parser, value);
					this.choices = Math.max(this.choices, (n != null) ? n : 1);
				}
				default -> member(parser, name, value, 0);
			}
		}

		// A Responses API input list: an item's id points back to the resource that
		// produced it (encrypted reasoning only that resource can read, an
		// item_reference, earlier output of a store:false chain), and so does the
		// call_id of a function call's output.
		private void inputItems(JsonParser parser) {
			JsonToken element;
			while ((element = parser.nextToken()) != JsonToken.END_ARRAY && element != null) {
				if (element != JsonToken.START_OBJECT) {
					scan(parser, element, 2);
					continue;
				}
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					String name = parser.currentName();
					JsonToken value = parser.nextToken();
					if (("id".equals(name) || "call_id".equals(name)) && value == JsonToken.VALUE_STRING) {
						id(parser.getString());
					}
					else {
						member(parser, name, value, 2);
					}
				}
			}
		}

		// Any other member: collects the ids of references, wherever they are.
		private void member(JsonParser parser, String name, JsonToken value, int depth) {
			if (REFERENCES.contains(name)) {
				ids(parser, value);
			}
			else {
				scan(parser, value, depth + 1);
			}
		}

		private void scan(JsonParser parser, JsonToken token, int depth) {
			if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
				return;
			}
			if (depth > MAX_DEPTH) {
				parser.skipChildren();
				return;
			}
			if (token == JsonToken.START_OBJECT) {
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					String name = parser.currentName();
					member(parser, name, parser.nextToken(), depth);
				}
			}
			else {
				JsonToken element;
				while ((element = parser.nextToken()) != JsonToken.END_ARRAY && element != null) {
					scan(parser, element, depth + 1);
				}
			}
		}

		private void ids(JsonParser parser, JsonToken value) {
			if (value == JsonToken.VALUE_STRING) {
				id(parser.getString());
			}
			else if (value == JsonToken.START_OBJECT) {
				// A reference as an object, e.g. "conversation": {"id": "conv_…"}.
				while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
					boolean isId = "id".equals(parser.currentName());
					if (parser.nextToken() == JsonToken.VALUE_STRING && isId) {
						id(parser.getString());
					}
					else {
						parser.skipChildren();
					}
				}
			}
			else if (value == JsonToken.START_ARRAY) {
				JsonToken element;
				while ((element = parser.nextToken()) != JsonToken.END_ARRAY && element != null) {
					if (element == JsonToken.VALUE_STRING) {
						id(parser.getString());
					}
					else {
						parser.skipChildren();
					}
				}
			}
			else {
				parser.skipChildren();
			}
		}

		private void id(String id) {
			if (id.isBlank() || (this.references != null && this.references.size() >= MAX_REFERENCES)) {
				return;
			}
			if (this.references == null) {
				this.references = new LinkedHashSet<>();
			}
			this.references.add(id);
		}

		RequestFacts build() {
			Long max = (this.maxCompletion != null) ? this.maxCompletion
					: (this.maxTokens != null) ? this.maxTokens : this.maxOutput;
			Set<String> ids = (this.references != null) ? Collections.unmodifiableSet(this.references) : Set.of();
			return new RequestFacts(null, this.model, this.modelStart, this.modelEnd, this.stream, this.streamOptions,
					this.includeUsage, this.user, max, this.choices, ids);
		}

		private static boolean readIncludeUsage(JsonParser parser) {
			boolean include = false;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("include_usage".equals(name)) {
					include = value == JsonToken.VALUE_TRUE;
				}
				else {
					parser.skipChildren();
				}
			}
			return include;
		}

		private static @Nullable Long count(JsonParser parser, JsonToken value) {
			if (value == JsonToken.VALUE_NUMBER_INT) {
				long count = parser.getLongValue();
				return (count > 0) ? count : null;
			}
			parser.skipChildren();
			return null;
		}

	}

}
