package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Small, lenient readers and writers for JSON trees.
 */
final class Nodes {

	private static final JsonMapper JSON = JsonMapper.shared();

	private Nodes() {
	}

	static ObjectNode object() {
		return JSON.createObjectNode();
	}

	static ArrayNode array() {
		return JSON.createArrayNode();
	}

	static JsonNode textNode(String text) {
		return JSON.getNodeFactory().stringNode(text);
	}

	static byte[] bytes(JsonNode node) {
		return JSON.writeValueAsBytes(node);
	}

	static String string(JsonNode node) {
		return JSON.writeValueAsString(node);
	}

	/**
	 * Parses a JSON object.
	 * @param body the bytes to parse
	 * @return the object
	 * @throws Rejection with a 400 when the bytes are not a JSON object
	 */
	static ObjectNode parseObject(byte[] body) {
		JsonNode node;
		try {
			node = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw new Rejection(AzureErrors.badRequest("The request body is not valid JSON: "
					+ new String(body, 0, Math.min(body.length, 64), StandardCharsets.UTF_8)));
		}
		if (node == null || !node.isObject()) {
			throw new Rejection(AzureErrors.badRequest("The request body must be a JSON object."));
		}
		return (ObjectNode) node;
	}

	static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isString()) ? value.stringValue() : null;
	}

	static String text(JsonNode node, String field, String fallback) {
		String value = text(node, field);
		return (value != null) ? value : fallback;
	}

	static boolean flag(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value != null && value.isBoolean() && value.booleanValue();
	}

	static @Nullable Integer integer(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isIntegralNumber()) ? value.intValue() : null;
	}

	/**
	 * The strings of an array field.
	 * @param node the object
	 * @param field the field holding an array
	 * @return its string elements, empty when the field is missing or not an array
	 */
	static List<String> texts(JsonNode node, String field) {
		List<String> texts = new ArrayList<>();
		JsonNode value = node.get(field);
		if (value != null && value.isArray()) {
			for (JsonNode element : value) {
				if (element.isString()) {
					texts.add(element.stringValue());
				}
			}
		}
		return texts;
	}

	/**
	 * The value of a field, or an empty object when it is missing or null.
	 * @param node the object
	 * @param field the field
	 * @return a copy of the value
	 */
	static JsonNode copyOrEmpty(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? object() : value.deepCopy();
	}

	/**
	 * The value of an array field, or an empty array when it is missing or null.
	 * @param node the object
	 * @param field the field
	 * @return a copy of the value
	 */
	static JsonNode copyOrEmptyArray(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? array() : value.deepCopy();
	}

}
