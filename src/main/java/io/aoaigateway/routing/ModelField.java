package io.aoaigateway.routing;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The top-level {@code model} field of a JSON request body, read without building the
 * whole tree.
 *
 * @param value the model named by the body, null when the body names none
 */
record ModelField(@Nullable String value) {

	private static final JsonMapper JSON = JsonMapper.shared();

	/**
	 * Reads the top-level {@code model} of a JSON object.
	 * @param body the request body
	 * @return the field
	 * @throws IllegalArgumentException when the body is not a JSON object
	 */
	static ModelField read(byte[] body) {
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IllegalArgumentException("The request body must be a JSON object.");
			}
			String model = null;
			JsonToken token;
			while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken valueToken = parser.nextToken();
				if ("model".equals(name) && valueToken == JsonToken.VALUE_STRING) {
					model = parser.getString();
				}
				else {
					parser.skipChildren();
				}
			}
			if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
				throw new IllegalArgumentException("The request body is not valid JSON.");
			}
			return new ModelField(model);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("The request body is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Replaces the top-level {@code model} of a JSON object.
	 * @param body the request body, known to be a JSON object
	 * @param model the new value
	 * @return the rewritten body
	 */
	static byte[] replace(byte[] body, String model) {
		JsonNode tree = JSON.readTree(body);
		((ObjectNode) tree).put("model", model);
		return JSON.writeValueAsBytes(tree);
	}

}
