package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server-sent events of a streamed response, built from its final state.
 * <p>
 * Every event is named, carries its {@code type} and a {@code sequence_number} counted
 * from 0 (its index in the list), and there is no {@code [DONE]}. The events are
 * {@code response.created}, {@code response.in_progress}, then for each output item
 * {@code response.output_item.added}, what the item streams (text deltas of a message,
 * the search steps of a {@code file_search_call}), {@code response.output_item.done}, and
 * last {@code response.completed} (or {@code response.incomplete}) with the full output
 * and usage.
 */
final class ResponseStream {

	private ResponseStream() {
	}

	/**
	 * @param finished the response as it ends
	 * @param background whether it runs in the background, which makes it start
	 * {@code queued}
	 * @return the framed events, event {@code n} at index {@code n}
	 */
	static List<String> events(ObjectNode finished, boolean background) {
		List<String> events = new ArrayList<>();
		ObjectNode started = finished.deepCopy().put("status", background ? "queued" : "in_progress").putNull("usage");
		started.putArray("output");
		started.putNull("incomplete_details");
		add(events, "response.created", Nodes.object().set("response", started));
		ObjectNode inProgress = started.deepCopy().put("status", "in_progress");
		add(events, "response.in_progress", Nodes.object().set("response", inProgress));
		JsonNode output = finished.path("output");
		for (int index = 0; index < output.size(); index++) {
			ObjectNode item = (ObjectNode) output.get(index);
			switch (Nodes.text(item, "type", "")) {
				case "message" -> message(events, index, item);
				case "file_search_call" -> fileSearch(events, index, item);
				default -> {
					add(events, "response.output_item.added",
							Nodes.object().put("output_index", index).set("item", item));
					add(events, "response.output_item.done",
							Nodes.object().put("output_index", index).set("item", item));
				}
			}
		}
		String terminal = "incomplete".equals(Nodes.text(finished, "status")) ? "response.incomplete"
				: "response.completed";
		add(events, terminal, Nodes.object().set("response", finished));
		return events;
	}

	private static void message(List<String> events, int index, ObjectNode message) {
		String itemId = message.get("id").stringValue();
		ObjectNode open = message.deepCopy().put("status", "in_progress");
		open.putArray("content");
		ObjectNode emptyPart = Nodes.object().put("type", "output_text").put("text", "");
		emptyPart.putArray("annotations");
		ObjectNode finalPart = (ObjectNode) message.get("content").get(0);
		String text = finalPart.get("text").stringValue();
		add(events, "response.output_item.added", Nodes.object().put("output_index", index).set("item", open));
		add(events, "response.content_part.added", part(itemId, index).set("part", emptyPart));
		List<String> words = text.isEmpty() ? List.of() : List.of(text.split(" ", -1));
		for (String delta : TextGeneration.deltas(words)) {
			add(events, "response.output_text.delta", part(itemId, index).put("delta", delta));
		}
		add(events, "response.output_text.done", part(itemId, index).put("text", text));
		add(events, "response.content_part.done", part(itemId, index).set("part", finalPart));
		add(events, "response.output_item.done", Nodes.object().put("output_index", index).set("item", message));
	}

	private static void fileSearch(List<String> events, int index, ObjectNode call) {
		String itemId = call.get("id").stringValue();
		ObjectNode open = call.deepCopy().put("status", "in_progress");
		add(events, "response.output_item.added", Nodes.object().put("output_index", index).set("item", open));
		for (String step : List.of("in_progress", "searching", "completed")) {
			add(events, "response.file_search_call." + step,
					Nodes.object().put("output_index", index).put("item_id", itemId));
		}
		add(events, "response.output_item.done", Nodes.object().put("output_index", index).set("item", call));
	}

	private static ObjectNode part(String itemId, int index) {
		return Nodes.object().put("item_id", itemId).put("output_index", index).put("content_index", 0);
	}

	private static void add(List<String> events, String type, ObjectNode data) {
		ObjectNode framed = Nodes.object().put("type", type).put("sequence_number", events.size());
		framed.setAll(data);
		events.add(Sse.event(type, framed));
	}

}
