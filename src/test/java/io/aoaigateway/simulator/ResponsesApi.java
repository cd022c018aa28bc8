package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Responses API: stored responses that can continue one another through
 * {@code previous_response_id}, take part in a conversation ({@code conversation}), run
 * in the background, and refer to earlier items.
 * <p>
 * Like Azure, a resource knows only its own objects: an {@code item_reference}, a
 * reasoning item sent back by id, or a vector store of a {@code file_search} tool that
 * another resource holds answers 404, and another resource's reasoning
 * {@code encrypted_content} answers 400 {@code invalid_encrypted_content}.
 * <p>
 * A background response ({@code background: true}) is {@code queued} when created; the
 * first GET finds it {@code in_progress} and the second {@code completed}, with the
 * output and usage fixed at creation. A cancelled one keeps its input tokens and has no
 * output.
 */
final class ResponsesApi {

	/**
	 * The reasoning tokens of a response with reasoning, counted in its output tokens.
	 */
	static final int REASONING_TOKENS = 16;

	private static final String ENCRYPTED_CONTENT = "reasoning.encrypted_content";

	private final ResourceContext context;

	private final SimulatorState state;

	private final ResponseRecords records;

	private final ConversationsApi conversations;

	private final EncryptedContent encryptedContent;

	ResponsesApi(ResourceContext context, SimulatorState state, ConversationsApi conversations) {
		this.context = context;
		this.state = state;
		this.records = state.responseRecords;
		this.conversations = conversations;
		this.encryptedContent = new EncryptedContent(context.settings().name());
	}

	void register(Routes routes) {
		for (String base : List.of("/openai/v1/responses", "/openai/responses")) {
			routes.post(base, this::create)
				.get(base + "/{response}", this::get)
				.delete(base + "/{response}", this::delete)
				.post(base + "/{response}/cancel", this::cancel)
				.get(base + "/{response}/input_items", this::listInputItems);
		}
	}

	private Answer create(Call call) {
		ObjectNode body = call.json();
		String model = Nodes.text(body, "model");
		if (model == null || model.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'model' is a required property."));
		}
		this.context.requireDeployment(model);
		boolean store = !body.has("store") || Nodes.flag(body, "store");
		boolean background = Nodes.flag(body, "background");
		boolean stream = Nodes.flag(body, "stream");
		if (background && !store) {
			throw new Rejection(invalidRequest(400, "invalid_value",
					"Background mode requires 'store' to be true; it cannot be used with store=false.", "background"));
		}
		List<ObjectNode> input = input(body.path("input"));
		List<String> vectorStores = vectorStores(body.path("tools"));
		String inputText = inputText(body.path("input")) + Nodes.text(body, "instructions", "");
		if (TextGeneration.triggersContentFilter(inputText)) {
			throw new Rejection(AzureErrors.contentFilter());
		}
		Map<String, String> admitted = this.context.admit(call.request(), model,
				Capacity.estimate(inputText, Nodes.integer(body, "max_output_tokens")));
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
		int textTokens = (maxOutputTokens != null) ? Math.min(wanted, Math.max(0, maxOutputTokens)) : wanted;
		boolean reasoning = body.path("reasoning").isObject()
				|| Nodes.texts(body, "include").contains(ENCRYPTED_CONTENT);
		int reasoningTokens = reasoning ? REASONING_TOKENS : 0;
		int outputTokens = textTokens + reasoningTokens;
		String id = Ids.hex("resp_", 48);
		ObjectNode response = response(id, model, body, previousId);
		ArrayNode output = response.withArrayProperty("output");
		if (reasoning) {
			output.add(reasoningItem(Nodes.texts(body, "include").contains(ENCRYPTED_CONTENT)));
		}
		if (!vectorStores.isEmpty()) {
			output.add(fileSearchCall(inputText));
		}
		String function = requiredFunction(body);
		output.add((function != null) ? functionCall(function) : message(this.context.words(textTokens), vectorStores));
		if (textTokens < wanted) {
			response.put("status", "incomplete");
			response.putObject("incomplete_details").put("reason", "max_output_tokens");
		}
		ObjectNode usage = response.putObject("usage").put("input_tokens", inputTokens);
		usage.putObject("input_tokens_details").put("cached_tokens", 0);
		usage.put("output_tokens", outputTokens);
		usage.putObject("output_tokens_details").put("reasoning_tokens", reasoningTokens);
		usage.put("total_tokens", inputTokens + outputTokens);
		if (conversation != null) {
			// The conversation gets the new input now and the output once finished.
			response.putObject("conversation").put("id", conversation);
			this.conversations.append(conversation,
					input.stream()
						.filter((item) -> !this.state.conversationItems.contains(item.get("id").stringValue()))
						.toList());
		}
		if (store) {
			input.forEach(this.records.items::put);
			this.records.inputs.put(id, input.stream().map((item) -> item.get("id").stringValue()).toList());
		}
		Map<String, String> rateLimits = this.context.charge(model, (long) inputTokens + outputTokens, admitted);
		if (background && !stream) {
			this.records.pending.put(response);
			ObjectNode queued = response.deepCopy().put("status", "queued").putNull("usage");
			queued.putArray("output");
			queued.putNull("incomplete_details");
			this.state.responses.put(queued);
			return Answer.json(200, queued).withHeaders(rateLimits);
		}
		finish(response);
		if (store) {
			this.state.responses.put(response);
		}
		if (stream) {
			List<String> events = ResponseStream.events(response, background);
			if (background) {
				this.records.events.put(id, events);
			}
			return Answer.events(events).withHeaders(rateLimits);
		}
		return Answer.json(200, response).withHeaders(rateLimits);
	}

	private ObjectNode response(String id, String model, ObjectNode body, @Nullable String previousId) {
		ObjectNode response = Nodes.object()
			.put("id", id)
			.put("object", "response")
			.put("created_at", this.context.now())
			.put("status", "completed")
			.put("background", Nodes.flag(body, "background"))
			.putNull("error")
			.putNull("incomplete_details");
		response.set("instructions", body.path("instructions").isString() ? body.get("instructions") : null);
		response.set("max_output_tokens",
				body.path("max_output_tokens").isNumber() ? body.get("max_output_tokens") : null);
		response.put("model", model);
		response.putArray("output");
		response.put("parallel_tool_calls", true).put("previous_response_id", previousId);
		JsonNode reasoning = body.path("reasoning");
		response.putObject("reasoning")
			.put("effort", Nodes.text(reasoning, "effort"))
			.put("summary", Nodes.text(reasoning, "summary"));
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

	private ObjectNode reasoningItem(boolean encrypted) {
		String id = Ids.hex("rs_", 48);
		ObjectNode item = Nodes.object().put("id", id).put("type", "reasoning");
		item.putArray("summary");
		if (encrypted) {
			item.put("encrypted_content", this.encryptedContent.seal(id));
		}
		return item;
	}

	private static ObjectNode fileSearchCall(String query) {
		ObjectNode call = Nodes.object()
			.put("id", Ids.hex("fs_", 48))
			.put("type", "file_search_call")
			.put("status", "completed");
		call.putArray("queries").add(query.length() > 100 ? query.substring(0, 100) : query);
		call.putNull("results");
		return call;
	}

	// The answer cites every file of the searched vector stores.
	// The function a call must call: tool_choice "required" (the first function tool)
	// or {"type":"function","name":…}; null when the model answers in text.
	private static @Nullable String requiredFunction(JsonNode body) {
		JsonNode choice = body.path("tool_choice");
		if (choice.isObject() && "function".equals(Nodes.text(choice, "type"))) {
			return Nodes.text(choice, "name");
		}
		if (!"required".equals(choice.stringValue(""))) {
			return null;
		}
		for (JsonNode tool : body.path("tools")) {
			if ("function".equals(Nodes.text(tool, "type")) && Nodes.text(tool, "name") != null) {
				return Nodes.text(tool, "name");
			}
		}
		return null;
	}

	private ObjectNode functionCall(String name) {
		String callId = Ids.hex("call_", 24);
		this.records.calls.add(callId);
		return Nodes.object()
			.put("id", Ids.hex("fc_", 48))
			.put("type", "function_call")
			.put("status", "completed")
			.put("call_id", callId)
			.put("name", name)
			.put("arguments", "{}");
	}

	private ObjectNode message(String text, List<String> vectorStores) {
		ObjectNode message = Nodes.object()
			.put("id", Ids.hex("msg_", 48))
			.put("type", "message")
			.put("status", "completed")
			.put("role", "assistant");
		ObjectNode part = message.putArray("content").addObject().put("type", "output_text").put("text", text);
		ArrayNode annotations = part.putArray("annotations");
		for (ObjectNode file : this.state.vectorStoreFiles
			.list((file) -> vectorStores.contains(Nodes.text(file, "vector_store_id", "")))) {
			String fileId = file.get("id").stringValue();
			ObjectNode uploaded = this.state.files.get(fileId);
			annotations.addObject()
				.put("type", "file_citation")
				.put("index", text.length())
				.put("file_id", fileId)
				.put("filename", (uploaded != null) ? Nodes.text(uploaded, "filename", fileId) : fileId);
		}
		return message;
	}

	/**
	 * What happens when a response reaches its final state: a stored response's output
	 * items become known, and a conversation gets them.
	 */
	private void finish(ObjectNode response) {
		List<ObjectNode> output = new ArrayList<>();
		response.path("output").forEach((item) -> output.add((ObjectNode) item));
		if (response.path("store").asBoolean(true)) {
			output.forEach(this.records.items::put);
		}
		String conversation = Nodes.text(response.path("conversation"), "id");
		if (conversation != null && this.state.conversations.contains(conversation)) {
			this.conversations.append(conversation, output);
		}
	}

	private Answer get(Call call) {
		String id = call.variable("response");
		if (!this.state.responses.contains(id)) {
			return AzureErrors.notFound("response", id);
		}
		if ("true".equals(call.query("stream"))) {
			return replay(call, id);
		}
		ObjectNode polled = this.state.responses.update(id, this::poll);
		return (polled != null) ? Answer.json(200, polled) : AzureErrors.notFound("response", id);
	}

	// A background response moves one step per poll: queued, in_progress, then its final
	// state.
	private ObjectNode poll(ObjectNode response) {
		return switch (Nodes.text(response, "status", "")) {
			case "queued" -> response.put("status", "in_progress");
			case "in_progress" -> complete(response);
			default -> response;
		};
	}

	private ObjectNode complete(ObjectNode response) {
		ObjectNode finished = this.records.pending.remove(response.get("id").stringValue());
		if (finished == null) {
			return response;
		}
		finish(finished);
		return finished;
	}

	/**
	 * {@code GET …/responses/{id}?stream=true&starting_after=N}: the events of a response
	 * created with background and stream, after sequence number N; a background response
	 * still running completes at once and streams its whole life.
	 */
	private Answer replay(Call call, String id) {
		int after = startingAfter(call.query("starting_after"));
		this.state.responses.update(id, (current) -> {
			if (Nodes.flag(current, "background") && !this.records.events.containsKey(id)
					&& List.of("queued", "in_progress").contains(Nodes.text(current, "status", ""))) {
				ObjectNode finished = complete(current);
				this.records.events.put(id, ResponseStream.events(finished, true));
				return finished;
			}
			return current;
		});
		List<String> events = this.records.events.get(id);
		if (events == null) {
			return invalidRequest(400, "invalid_value", "Response '" + id + "' cannot be streamed: only a response "
					+ "created with background=true and stream=true can be.", "stream");
		}
		return Answer.events(events.subList(Math.min(after + 1, events.size()), events.size()));
	}

	private static int startingAfter(@Nullable String value) {
		if (value == null) {
			return -1;
		}
		if (!value.matches("-?\\d{1,9}")) {
			throw new Rejection(invalidRequest(400, "invalid_value",
					"Invalid value for 'starting_after': expected an integer.", "starting_after"));
		}
		return Math.max(-1, Integer.parseInt(value));
	}

	/**
	 * {@code POST …/responses/{id}/cancel}: a background response still queued or in
	 * progress ends {@code cancelled}, with its input tokens and no output; a finished
	 * one is answered unchanged; a response not created in the background cannot be
	 * cancelled.
	 */
	private Answer cancel(Call call) {
		String id = call.variable("response");
		ObjectNode response = this.state.responses.get(id);
		if (response == null) {
			return AzureErrors.notFound("response", id);
		}
		if (!Nodes.flag(response, "background")) {
			return invalidRequest(400, "invalid_value", "Cannot cancel a synchronous response.", null);
		}
		ObjectNode cancelled = this.state.responses.update(id, (current) -> {
			if (!List.of("queued", "in_progress").contains(Nodes.text(current, "status", ""))) {
				return current;
			}
			ObjectNode finished = this.records.pending.remove(id);
			int inputTokens = (finished != null) ? finished.path("usage").path("input_tokens").asInt(0) : 0;
			current.put("status", "cancelled");
			current.putArray("output");
			ObjectNode usage = current.putObject("usage").put("input_tokens", inputTokens);
			usage.putObject("input_tokens_details").put("cached_tokens", 0);
			usage.put("output_tokens", 0);
			usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
			usage.put("total_tokens", inputTokens);
			return current;
		});
		return (cancelled != null) ? Answer.json(200, cancelled) : AzureErrors.notFound("response", id);
	}

	private Answer delete(Call call) {
		String id = call.variable("response");
		if (this.state.responses.remove(id) == null) {
			return AzureErrors.notFound("response", id);
		}
		this.records.forget(id);
		return Answer.json(200, Nodes.object().put("id", id).put("object", "response").put("deleted", true));
	}

	private Answer listInputItems(Call call) {
		String id = call.variable("response");
		List<String> input = this.records.inputs.get(id);
		if (!this.state.responses.contains(id) || input == null) {
			return AzureErrors.notFound("response", id);
		}
		List<ObjectNode> items = new ArrayList<>();
		for (String itemId : input) {
			ObjectNode item = this.records.items.get(itemId);
			if (item != null) {
				items.add(item);
			}
		}
		return Pages.page(call, items);
	}

	/**
	 * The input items of a create call, each with an id, checked against what this
	 * resource knows.
	 */
	private List<ObjectNode> input(JsonNode input) {
		List<ObjectNode> items = new ArrayList<>();
		if (input.isString()) {
			ObjectNode item = Nodes.object().put("id", Ids.hex("msg_", 48)).put("type", "message").put("role", "user");
			item.putArray("content").addObject().put("type", "input_text").put("text", input.stringValue());
			items.add(item);
			return items;
		}
		Set<String> callsInInput = new HashSet<>();
		for (JsonNode element : input) {
			if ("function_call".equals(Nodes.text(element, "type")) && Nodes.text(element, "call_id") != null) {
				callsInInput.add(Nodes.text(element, "call_id"));
			}
		}
		for (JsonNode element : input) {
			if (!element.isObject()) {
				continue;
			}
			ObjectNode item = ((ObjectNode) element).deepCopy();
			String type = Nodes.text(item, "type", "message");
			String id = Nodes.text(item, "id");
			if (type.equals("item_reference")) {
				ObjectNode known = (id != null) ? knownItem(id) : null;
				if (known == null) {
					throw new Rejection(invalidRequest(404, "404", "Item with id '" + id + "' not found.", "input"));
				}
				items.add(known);
				continue;
			}
			if (type.equals("reasoning")) {
				checkReasoning(id, Nodes.text(item, "encrypted_content"));
			}
			String callId = Nodes.text(item, "call_id");
			if (type.equals("function_call_output") && !this.records.calls.contains(callId)
					&& !callsInInput.contains(callId)) {
				// The call it answers was made elsewhere, and is not in this input
				// either.
				throw new Rejection(invalidRequest(400, "invalid_request_error",
						"No tool call found for function call output with call_id " + callId + ".", "input"));
			}
			if (id == null) {
				item.put("type", type).put("id", Ids.hex(idPrefix(type), 48));
			}
			items.add(item);
		}
		return items;
	}

	private static String idPrefix(String type) {
		return switch (type) {
			case "message" -> "msg_";
			case "reasoning" -> "rs_";
			case "function_call" -> "fc_";
			case "function_call_output" -> "fco_";
			default -> "item_";
		};
	}

	// A reasoning item comes back either with encrypted content this resource wrote or
	// by the id of a stored item.
	private void checkReasoning(@Nullable String id, @Nullable String encryptedContent) {
		if (encryptedContent != null) {
			if (!this.encryptedContent.readable(id, encryptedContent)) {
				throw new Rejection(invalidRequest(400, "invalid_encrypted_content",
						"The encrypted content for item " + id
								+ " could not be verified. Reason: Encrypted content could not be decrypted or parsed.",
						null));
			}
			return;
		}
		if (id == null || knownItem(id) == null) {
			throw new Rejection(invalidRequest(404, "404", "Item with id '" + id + "' not found. Items are not "
					+ "persisted when `store` is set to false. Try again with `store` set to true, or remove this "
					+ "item from your input.", "input"));
		}
	}

	// Items of stored responses, and items added to this resource's conversations.
	private @Nullable ObjectNode knownItem(String id) {
		ObjectNode item = this.records.items.get(id);
		if (item == null) {
			item = this.state.conversationItems.get(id);
			if (item != null) {
				item.remove("conversation_id");
			}
		}
		return item;
	}

	// Each vector store of a file_search tool must be this resource's.
	private List<String> vectorStores(JsonNode tools) {
		List<String> ids = new ArrayList<>();
		for (JsonNode tool : tools) {
			if ("file_search".equals(Nodes.text(tool, "type"))) {
				for (String id : Nodes.texts(tool, "vector_store_ids")) {
					if (!this.state.vectorStores.contains(id)) {
						throw new Rejection(
								invalidRequest(404, "404", "Vector store with id '" + id + "' not found.", "tools"));
					}
					ids.add(id);
				}
			}
		}
		return ids;
	}

	/**
	 * The error body of the Responses API, which has OpenAI's {@code type} and
	 * {@code param} besides Azure's {@code code} and {@code message}.
	 */
	private static Answer.Complete invalidRequest(int status, String code, String message, @Nullable String param) {
		ObjectNode body = Nodes.object();
		body.putObject("error")
			.put("code", code)
			.put("message", message)
			.put("type", "invalid_request_error")
			.put("param", param);
		return Answer.json(status, body);
	}

	private static double number(ObjectNode body, String field, double fallback) {
		JsonNode value = body.path(field);
		return value.isNumber() ? value.doubleValue() : fallback;
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
