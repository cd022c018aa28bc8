package io.aoaigateway.quota;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level fields of a JSON request that quotas care about, read in one streaming
 * pass without building a tree.
 *
 * @param valid whether the body is a JSON object
 * @param stream {@code stream: true}
 * @param streamOptions whether a {@code stream_options} member is present
 * @param includeUsage {@code stream_options.include_usage: true}
 * @param user whether a {@code user} member is present
 * @param maxOutputTokens {@code max_completion_tokens}, else {@code max_tokens}, else
 * {@code max_output_tokens}
 * @param choices the larger of {@code n} and {@code best_of}, at least 1
 */
record RequestFacts(boolean valid, boolean stream, boolean streamOptions, boolean includeUsage, boolean user,
		@Nullable Long maxOutputTokens, long choices) {

	static final RequestFacts NONE = new RequestFacts(false, false, false, false, false, null, 1);

	private static final JsonMapper JSON = JsonMapper.shared();

	static RequestFacts read(byte[] body) {
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return NONE;
			}
			boolean stream = false;
			boolean streamOptions = false;
			boolean includeUsage = false;
			boolean user = false;
			Long maxCompletion = null;
			Long maxTokens = null;
			Long maxOutput = null;
			long choices = 1;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (name) {
					case "stream" -> stream = value == JsonToken.VALUE_TRUE;
					case "stream_options" -> {
						streamOptions = true;
						includeUsage = value == JsonToken.START_OBJECT && readIncludeUsage(parser);
					}
					case "user" -> user = true;
					case "max_completion_tokens" -> maxCompletion = count(parser, value);
					case "max_tokens" -> maxTokens = count(parser, value);
					case "max_output_tokens" -> maxOutput = count(parser, value);
					case "n", "best_of" -> {
						Long n = count(parser, value);
						choices = Math.max(choices, (n != null) ? n : 1);
					}
					default -> parser.skipChildren();
				}
			}
			Long max = (maxCompletion != null) ? maxCompletion : (maxTokens != null) ? maxTokens : maxOutput;
			return new RequestFacts(true, stream, streamOptions, includeUsage, user, max, choices);
		}
		catch (JacksonException ex) {
			return NONE;
		}
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
