package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Responses API: stored responses that can continue one another through
 * {@code previous_response_id}, or take part in a conversation ({@code conversation}).
 */
final class ResponsesApi {

	private final ResourceContext context;

	private final SimulatorState state;

	private final ConversationsApi conversations;

	ResponsesApi(ResourceContext context, SimulatorState state, ConversationsApi conversations) {
		this.context = context;
		this.state = state;
		this.conversations = conversations;
	}

	void register(Routes routes) {
		for (String base : List.of("/openai/v1/responses", "/openai/responses")) {
			routes.post(base, this::create)
				.get(base + "/{response}", this::get)
				.delete(base + "/{response}", this::delete);
		}
	}

	private Answer create(Call call) {
		ObjectNode body = call.json();
		String model = Nodes.text(body, "model");
		if (model == null || model.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'model' is a required property."));
		}
		this.context.requireDeployment(model);
		String inputText = inputText(body.path("input")) + Nodes.text(body, "instructions", "");
		if (TextGeneration.triggersContentFilter(inputText)) {
			throw new Rejection(AzureErrors.contentFilter());
		}
		int inputTokens = TextGeneration.tokens(inputText) + 4 * Math.max(1, body.path("input").size());
		String previousId = Nodes.text(body, "previous_response_id");
		if (previousId != null) {
			ObjectNode previous = this.state.responses.get(previousId);
			if (previous == null) {
				throw new Rejection(
						AzureErrors.error(404, "404", "Previous response with id '" + previousId + "' not found."));
			}
			// The earlier turns are part of the prompt again.
			inputTokens += previous.path("usage").path("total_tokens").asInt(0);
		}
		String conversation = this.conversations.conversationOf(body);
		Integer maxOutputTokens = Nodes.integer(body, "max_output_tokens");
		int wanted = this.context.settings().streamChunks();
		int outputTokens = (maxOutputTokens != null) ? Math.min(wanted, Math.max(0, maxOutputTokens)) : wanted;
		String text = this.context.words(outputTokens);
		String id = Ids.hex("resp_", 48);
		ObjectNode message = Nodes.object()
			.put("id", Ids.hex("msg_", 48))
			.put("type", "message")
			.put("status", "completed")
			.put("role", "assistant");
		message.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
		ObjectNode response = response(id, model, body, previousId);
		if (outputTokens < wanted) {
			response.put("status", "incomplete");
			response.putObject("incomplete_details").put("reason", "max_output_tokens");
		}
		response.withArrayProperty("output").add(message);
		ObjectNode usage = response.putObject("usage").put("input_tokens", inputTokens);
		usage.putObject("input_tokens_details").put("cached_tokens", 0);
		usage.put("output_tokens", outputTokens);
		usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
		usage.put("total_tokens", inputTokens + outputTokens);
		if (conversation != null) {
			// The turn joins the conversation: the caller's input, then the output.
			response.putObject("conversation").put("id", conversation);
			this.conversations.append(conversation, inputItems(body.path("input")));
			this.conversations.append(conversation, List.of(message));
		}
		if (!body.has("store") || Nodes.flag(body, "store")) {
			this.state.responses.put(response);
		}
		Map<String, String> rateLimits = this.context.charge(model, (long) inputTokens + outputTokens);
		if (Nodes.flag(body, "stream")) {
			return Answer
				.events(events(response, message,
						TextGeneration.deltas(TextGeneration.words(outputTokens, this.context.settings().name()))))
				.withHeaders(rateLimits);
		}
		return Answer.json(200, response).withHeaders(rateLimits);
	}

	private ObjectNode response(String id, String model, ObjectNode body, @Nullable String previousId) {
		ObjectNode response = Nodes.object()
			.put("id", id)
			.put("object", "response")
			.put("created_at", this.context.now())
			.put("status", "completed")
			.putNull("error")
			.putNull("incomplete_details");
		response.set("instructions", body.path("instructions").isString() ? body.get("instructions") : null);
		response.set("max_output_tokens",
				body.path("max_output_tokens").isNumber() ? body.get("max_output_tokens") : null);
		response.put("model", model);
		response.putArray("output");
		response.put("parallel_tool_calls", true).put("previous_response_id", previousId);
		response.putObject("reasoning").putNull("effort").putNull("summary");
		response.put("store", !body.has("store") || Nodes.flag(body, "store"));
		response.put("temperature", number(body, "temperature", 1.0));
		response.putObject("text").putObject("format").put("type", "text");
		response.put("tool_choice", "auto");
		response.set("tools", Nodes.copyOrEmptyArray(body, "tools"));
		response.put("top_p", number(body, "top_p", 1.0));
		response.put("truncation", "disabled").putNull("usage").putNull("user");
		response.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		return response;
	}

	// The Responses stream names every event and numbers it; it has no [DONE].
	private static List<String> events(ObjectNode completed, ObjectNode message, List<String> deltas) {
		List<String> events = new ArrayList<>();
		String itemId = message.get("id").stringValue();
		ObjectNode inProgress = completed.deepCopy().put("status", "in_progress").putNull("usage");
		inProgress.putArray("output");
		ObjectNode openMessage = message.deepCopy().put("status", "in_progress");
		openMessage.putArray("content");
		ObjectNode emptyPart = Nodes.object().put("type", "output_text").put("text", "");
		emptyPart.putArray("annotations");
		ObjectNode finalPart = (ObjectNode) message.get("content").get(0);
		events.add(event(events, "response.created", Nodes.object().set("response", inProgress)));
		events.add(event(events, "response.in_progress", Nodes.object().set("response", inProgress)));
		events.add(event(events, "response.output_item.added",
				Nodes.object().put("output_index", 0).set("item", openMessage)));
		events.add(event(events, "response.content_part.added", part(itemId).set("part", emptyPart)));
		for (String delta : deltas) {
			events.add(event(events, "response.output_text.delta", part(itemId).put("delta", delta)));
		}
		events.add(event(events, "response.output_text.done",
				part(itemId).put("text", finalPart.get("text").stringValue())));
		events.add(event(events, "response.content_part.done", part(itemId).set("part", finalPart)));
		events.add(
				event(events, "response.output_item.done", Nodes.object().put("output_index", 0).set("item", message)));
		events.add(event(events, "response.completed", Nodes.object().set("response", completed)));
		return events;
	}

	private static ObjectNode part(String itemId) {
		return Nodes.object().put("item_id", itemId).put("output_index", 0).put("content_index", 0);
	}

	private static String event(List<String> previous, String type, ObjectNode data) {
		ObjectNode framed = Nodes.object().put("type", type).put("sequence_number", previous.size());
		framed.setAll(data);
		return Sse.event(type, framed);
	}

	private Answer get(Call call) {
		String id = call.variable("response");
		ObjectNode response = this.state.responses.get(id);
		return (response != null) ? Answer.json(200, response) : AzureErrors.notFound("response", id);
	}

	private Answer delete(Call call) {
		String id = call.variable("response");
		if (this.state.responses.remove(id) == null) {
			return AzureErrors.notFound("response", id);
		}
		return Answer.json(200, Nodes.object().put("id", id).put("object", "response").put("deleted", true));
	}

	private static double number(ObjectNode body, String field, double fallback) {
		JsonNode value = body.path(field);
		return value.isNumber() ? value.doubleValue() : fallback;
	}

	private static List<ObjectNode> inputItems(JsonNode input) {
		List<ObjectNode> items = new ArrayList<>();
		if (input.isString()) {
			ObjectNode item = Nodes.object().put("id", Ids.hex("msg_", 48)).put("type", "message").put("role", "user");
			item.putArray("content").addObject().put("type", "input_text").put("text", input.stringValue());
			items.add(item);
			return items;
		}
		for (JsonNode element : input) {
			if (element.isObject()) {
				ObjectNode item = ((ObjectNode) element).deepCopy();
				if (!item.has("id")) {
					item.put("id", Ids.hex("msg_", 48));
				}
				items.add(item);
			}
		}
		return items;
	}

	private static String inputText(JsonNode input) {
		if (input.isString()) {
			return input.stringValue();
		}
		StringBuilder text = new StringBuilder();
		for (JsonNode item : input) {
			text.append(item.isString() ? item.stringValue() : TextGeneration.text(item.path("content")));
		}
		return text.toString();
	}

}
