package io.aoaigateway.usage;

import java.util.ArrayList;
import java.util.List;

/**
 * The ids a JSON answer names, read before the answer is handed to the client.
 *
 * @param objects the top-level {@code id} and {@code thread_id}
 * @param items the ids of objects made inside the one the answer is about: a Responses
 * API answer's {@code output} items, the file a completed upload became
 */
public record AnswerIds(List<String> objects, List<String> items) {

	public AnswerIds {
		objects = List.copyOf(objects);
		items = List.copyOf(items);
	}

	/** No ids. */
	public static final AnswerIds NONE = new AnswerIds(List.of(), List.of());

	/**
	 * @return the objects, then the items
	 */
	public List<String> all() {
		if (this.items.isEmpty()) {
			return this.objects;
		}
		List<String> all = new ArrayList<>(this.objects);
		all.addAll(this.items);
		return all;
	}

}
