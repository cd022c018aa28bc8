package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders list answers ({@code object: "list"}, {@code first_id}, {@code last_id},
 * {@code has_more}) with the {@code limit}, {@code order}, {@code after} and
 * {@code before} query parameters.
 */
final class Pages {

	private Pages() {
	}

	/**
	 * One page of objects.
	 * @param call the list call, whose query selects the page
	 * @param oldestFirst all objects, oldest first
	 * @return the list answer
	 */
	static Answer page(Call call, List<ObjectNode> oldestFirst) {
		int limit = limit(call.query("limit"));
		String order = call.query("order");
		if (order == null) {
			order = "desc";
		}
		if (!order.equals("asc") && !order.equals("desc")) {
			throw new Rejection(AzureErrors.badRequest("Invalid value for 'order': expected 'asc' or 'desc'."));
		}
		List<ObjectNode> ordered = new ArrayList<>(oldestFirst);
		if (order.equals("desc")) {
			Collections.reverse(ordered);
		}
		String after = call.query("after");
		String before = call.query("before");
		int from = 0;
		int to = ordered.size();
		if (after != null) {
			int index = indexOf(ordered, after);
			from = (index < 0) ? ordered.size() : index + 1;
		}
		if (before != null) {
			int index = indexOf(ordered, before);
			to = (index < 0) ? from : Math.max(index, from);
		}
		List<ObjectNode> page;
		boolean hasMore;
		if (before != null && after == null) {
			int start = Math.max(from, to - limit);
			page = ordered.subList(start, to);
			hasMore = start > from;
		}
		else {
			int stop = Math.min(to, from + limit);
			page = ordered.subList(from, stop);
			hasMore = stop < to;
		}
		return Answer.json(200, list(page, hasMore));
	}

	static ObjectNode list(List<ObjectNode> objects, boolean hasMore) {
		ObjectNode list = Nodes.object().put("object", "list");
		ArrayNode data = list.putArray("data");
		objects.forEach(data::add);
		if (objects.isEmpty()) {
			list.putNull("first_id").putNull("last_id");
		}
		else {
			list.put("first_id", objects.get(0).get("id").stringValue());
			list.put("last_id", objects.get(objects.size() - 1).get("id").stringValue());
		}
		return list.put("has_more", hasMore);
	}

	private static int limit(@Nullable String value) {
		if (value == null) {
			return 20;
		}
		int limit = value.matches("\\d{1,3}") ? Integer.parseInt(value) : 0;
		if (limit < 1 || limit > 100) {
			throw new Rejection(
					AzureErrors.badRequest("Invalid value for 'limit': expected an integer from 1 to 100."));
		}
		return limit;
	}

	private static int indexOf(List<ObjectNode> objects, String id) {
		for (int i = 0; i < objects.size(); i++) {
			if (id.equals(objects.get(i).get("id").stringValue())) {
				return i;
			}
		}
		return -1;
	}

}
