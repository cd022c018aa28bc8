package io.aoaigateway.affinity;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a call names stateful objects: the first object id in its path, and the ids its
 * JSON body refers to.
 */
final class ObjectIds {

	// Collections whose next path segment is an object id.
	private static final Set<String> COLLECTIONS = Set.of("assistants", "threads", "vector_stores", "files", "batches",
			"responses");

	// Body members that refer to objects, wherever they appear (tool_resources,
	// attachments...).
	private static final Set<String> REFERENCES = Set.of("assistant_id", "thread_id", "file_id", "file_ids",
			"vector_store_id", "vector_store_ids", "previous_response_id", "input_file_id");

	private static final int MAX_DEPTH = 16;

	private static final JsonMapper JSON = JsonMapper.shared();

	private ObjectIds() {
	}

	/**
	 * The object a path works on, e.g. {@code thread_abc} in
	 * {@code /openai/threads/thread_abc/runs}.
	 * @param path the request path
	 * @return the object's path (up to and including its id) and id, or {@code null} for
	 * a collection (create, list)
	 */
	static @Nullable PathObject inPath(String path) {
		List<String> segments = List.of(path.split("/"));
		int start = (segments.size() > 2 && "v1".equals(segments.get(2))) ? 3 : 2;
		if (segments.size() <= start + 1 || !"openai".equals(segments.get(1))) {
			return null;
		}
		String collection = segments.get(start);
		if ("operations".equals(collection) && segments.size() > start + 2
				&& "images".equals(segments.get(start + 1))) {
			return object(segments, start + 2);
		}
		if (!COLLECTIONS.contains(collection)) {
			return null;
		}
		String id = segments.get(start + 1);
		// POST /threads/runs creates a thread and its run: no object yet.
		if (id.isEmpty() || ("threads".equals(collection) && "runs".equals(id))) {
			return null;
		}
		return object(segments, start + 1);
	}

	/**
	 * The objects a JSON body refers to.
	 * @param body the body, or {@code null} when it is not JSON
	 * @return the ids, in order of appearance
	 */
	static Set<String> inBody(byte @Nullable [] body) {
		Set<String> ids = new LinkedHashSet<>();
		if (body == null || body.length == 0) {
			return ids;
		}
		try {
			collect(JSON.readTree(body), ids, 0);
		}
		catch (JacksonException ex) {
			// The backend answers malformed JSON itself.
		}
		return ids;
	}

	private static void collect(JsonNode node, Set<String> ids, int depth) {
		if (depth > MAX_DEPTH) {
			return;
		}
		if (node.isObject()) {
			for (var property : node.properties()) {
				if (REFERENCES.contains(property.getKey())) {
					addIds(property.getValue(), ids);
				}
				else {
					collect(property.getValue(), ids, depth + 1);
				}
			}
		}
		else if (node.isArray()) {
			for (JsonNode element : node) {
				collect(element, ids, depth + 1);
			}
		}
	}

	private static void addIds(JsonNode value, Set<String> ids) {
		if (value.isString() && !value.stringValue().isBlank()) {
			ids.add(value.stringValue());
		}
		else if (value.isArray()) {
			for (JsonNode element : value) {
				if (element.isString() && !element.stringValue().isBlank()) {
					ids.add(element.stringValue());
				}
			}
		}
	}

	private static PathObject object(List<String> segments, int idIndex) {
		return new PathObject(String.join("/", segments.subList(0, idIndex + 1)), segments.get(idIndex));
	}

	/**
	 * An object named in a path.
	 *
	 * @param path the path up to and including the id, e.g.
	 * {@code /openai/threads/thread_abc}
	 * @param id the id
	 */
	record PathObject(String path, String id) {
	}

}
