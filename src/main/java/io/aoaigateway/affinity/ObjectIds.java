package io.aoaigateway.affinity;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Where a call names a stateful object in its path (the ids its JSON body refers to are
 * in {@code RequestFacts}).
 */
final class ObjectIds {

	// Collections whose next path segment is an object id.
	private static final Set<String> COLLECTIONS = Set.of("assistants", "threads", "vector_stores", "files", "batches",
			"responses", "conversations", "uploads");

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
	 * @param object an object named in a path
	 * @return whether calls on it answer with objects made inside it: a Responses API
	 * response (its output items) or an upload (the file it became)
	 */
	static boolean makesObjects(PathObject object) {
		return object.path().endsWith("/responses/" + object.id()) || object.path().endsWith("/uploads/" + object.id());
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
