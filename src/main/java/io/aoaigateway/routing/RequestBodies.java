package io.aoaigateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The changes the gateway makes to a JSON request body before sending it: the
 * deployment's name on the chosen backend in {@code model}, the caller's pseudonymous
 * {@code user}, and {@code stream_options.include_usage} so that a stream reports its
 * usage. The client's bytes are kept as they were wherever possible: the model's value is
 * replaced where it stands, new members are written in front of the client's; only a body
 * that already has a member to change is rewritten as a whole.
 */
final class RequestBodies {

	private static final JsonMapper JSON = JsonMapper.shared();

	private RequestBodies() {
	}

	/**
	 * Replaces the top-level {@code model} where it stands.
	 * @param body the request body, a JSON object
	 * @param facts what the body holds, with where its {@code model} is
	 * @param model the new value
	 * @return the rewritten body
	 */
	static byte[] replaceModel(byte[] body, RequestFacts facts, String model) {
		byte[] value = JSON.writeValueAsBytes(model);
		int start = facts.modelStart();
		int end = facts.modelEnd();
		byte[] replaced = new byte[body.length - (end - start) + value.length];
		System.arraycopy(body, 0, replaced, 0, start);
		System.arraycopy(value, 0, replaced, start, value.length);
		System.arraycopy(body, end, replaced, start + value.length, body.length - end);
		return replaced;
	}

	/**
	 * @param body the request body, a JSON object
	 * @param facts what the body holds
	 * @param amendment what to add
	 * @return the amended body, or the same array when nothing changes
	 */
	static byte[] amend(byte[] body, RequestFacts facts, BodyAmendment amendment) {
		String user = amendment.user();
		boolean includeUsage = amendment.includeUsage();
		if (!facts.valid() || (user == null && !includeUsage)) {
			return body;
		}
		if ((user != null && facts.user()) || (includeUsage && facts.streamOptions())) {
			return rewrite(body, user, includeUsage);
		}
		List<String> members = new ArrayList<>(2);
		if (user != null) {
			members.add("\"user\":" + JSON.writeValueAsString(user));
		}
		if (includeUsage) {
			members.add("\"stream_options\":{\"include_usage\":true}");
		}
		return prepend(body, String.join(",", members));
	}

	private static byte[] prepend(byte[] body, String members) {
		int open = 0;
		while (open < body.length && body[open] != '{') {
			open++;
		}
		int next = open + 1;
		while (next < body.length && Character.isWhitespace(body[next])) {
			next++;
		}
		boolean empty = next < body.length && body[next] == '}';
		byte[] insert = (members + (empty ? "" : ",")).getBytes(StandardCharsets.UTF_8);
		byte[] amended = new byte[body.length + insert.length];
		System.arraycopy(body, 0, amended, 0, open + 1);
		System.arraycopy(insert, 0, amended, open + 1, insert.length);
		System.arraycopy(body, open + 1, amended, open + 1 + insert.length, body.length - open - 1);
		return amended;
	}

	private static byte[] rewrite(byte[] body, @Nullable String user, boolean includeUsage) {
		ObjectNode object = (ObjectNode) JSON.readTree(body);
		if (user != null) {
			object.put("user", user);
		}
		if (includeUsage) {
			JsonNode options = object.get("stream_options");
			ObjectNode streamOptions = (options instanceof ObjectNode existing) ? existing
					: object.putObject("stream_options");
			streamOptions.put("include_usage", true);
		}
		return JSON.writeValueAsBytes(object);
	}

}
