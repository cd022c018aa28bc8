package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Assistants, threads, messages, runs and run steps. A run is {@code queued} when created
 * and finishes on the first poll, or asks for tool outputs first when it has function
 * tools; a streamed run finishes while it streams.
 */
final class AssistantsApi {

	private static final Set<String> ACTIVE = Set.of("queued", "in_progress", "requires_action");

	// A run expires ten minutes after creation, as in Azure's examples.
	private static final long RUN_LIFETIME = 600;

	private final ResourceContext context;

	private final SimulatorState state;

	private final VectorStoresApi vectorStores;

	// Run transitions touch runs, steps and messages together.
	private final Object runLock = new Object();

	AssistantsApi(ResourceContext context, SimulatorState state, VectorStoresApi vectorStores) {
		this.context = context;
		this.state = state;
		this.vectorStores = vectorStores;
	}

	void register(Routes routes) {
		String assistant = "/openai/assistants/{assistant}";
		String thread = "/openai/threads/{thread}";
		String run = thread + "/runs/{run}";
		routes.get("/openai/assistants", this::listAssistants)
			.post("/openai/assistants", this::createAssistant)
			.get(assistant, this::getAssistant)
			.post(assistant, this::modifyAssistant)
			.delete(assistant, this::deleteAssistant)
			.post("/openai/threads/runs", this::createThreadAndRun)
			.post("/openai/threads", (call) -> Answer.json(200, createThread(call.jsonOrEmpty())))
			.get(thread, (call) -> Answer.json(200, requireThread(call)))
			.post(thread, this::modifyThread)
			.delete(thread, this::deleteThread)
			.get(thread + "/messages", this::listMessages)
			.post(thread + "/messages", this::createMessage)
			.get(thread + "/messages/{message}", (call) -> Answer.json(200, requireMessage(call)))
			.post(thread + "/messages/{message}", this::modifyMessage)
			.delete(thread + "/messages/{message}", this::deleteMessage)
			.get(thread + "/runs", this::listRuns)
			.post(thread + "/runs", this::createRun)
			.get(run, this::getRun)
			.post(run, this::modifyRun)
			.post(run + "/cancel", this::cancelRun)
			.post(run + "/submit_tool_outputs", this::submitToolOutputs)
			.get(run + "/steps", this::listSteps)
			.get(run + "/steps/{step}", this::getStep);
	}

	private Answer listAssistants(Call call) {
		return Pages.page(call, this.state.assistants.list((assistant) -> true));
	}

	private Answer createAssistant(Call call) {
		ObjectNode body = call.json();
		String model = Nodes.text(body, "model");
		if (model == null || model.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'model' is a required property."));
		}
		ObjectNode assistant = Nodes.object()
			.put("id", Ids.alphanumeric("asst_", 24))
			.put("object", "assistant")
			.put("created_at", this.context.now())
			.put("name", Nodes.text(body, "name"))
			.put("description", Nodes.text(body, "description"))
			.put("model", model)
			.put("instructions", Nodes.text(body, "instructions"));
		assistant.set("tools", Nodes.copyOrEmptyArray(body, "tools"));
		assistant.set("tool_resources", toolResources(body.path("tool_resources")));
		assistant.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		assistant.put("temperature", number(body, "temperature")).put("top_p", number(body, "top_p"));
		assistant.set("response_format", responseFormat(body));
		this.state.assistants.put(assistant);
		return Answer.json(200, assistant);
	}

	private Answer getAssistant(Call call) {
		return Answer.json(200, requireAssistant(call.variable("assistant")));
	}

	private Answer modifyAssistant(Call call) {
		String id = requireAssistant(call.variable("assistant")).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode resources = body.has("tool_resources") ? toolResources(body.path("tool_resources")) : null;
		ObjectNode assistant = this.state.assistants.update(id, (current) -> {
			for (String field : List.of("name", "description", "model", "instructions", "tools", "metadata",
					"temperature", "top_p", "response_format")) {
				if (body.has(field)) {
					current.set(field, body.get(field).deepCopy());
				}
			}
			if (resources != null) {
				current.set("tool_resources", resources);
			}
			return current;
		});
		return (assistant != null) ? Answer.json(200, assistant) : AzureErrors.notFound("assistant", id);
	}

	private Answer deleteAssistant(Call call) {
		String id = call.variable("assistant");
		if (this.state.assistants.remove(id) == null) {
			return AzureErrors.notFound("assistant", id);
		}
		return Answer.json(200, VectorStoresApi.deleted(id, "assistant.deleted"));
	}

	private ObjectNode createThread(ObjectNode body) {
		JsonNode messages = body.path("messages");
		for (JsonNode message : messages) {
			validateMessage(message);
		}
		ObjectNode thread = Nodes.object()
			.put("id", Ids.alphanumeric("thread_", 24))
			.put("object", "thread")
			.put("created_at", this.context.now());
		thread.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		thread.set("tool_resources", toolResources(body.path("tool_resources")));
		this.state.threads.put(thread);
		String threadId = thread.get("id").stringValue();
		for (JsonNode message : messages) {
			addMessage(threadId, message, null, null);
		}
		return thread;
	}

	private Answer modifyThread(Call call) {
		String id = requireThread(call).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode resources = body.has("tool_resources") ? toolResources(body.path("tool_resources")) : null;
		ObjectNode thread = this.state.threads.update(id, (current) -> {
			if (body.has("metadata")) {
				current.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
			}
			if (resources != null) {
				current.set("tool_resources", resources);
			}
			return current;
		});
		return (thread != null) ? Answer.json(200, thread) : AzureErrors.notFound("thread", id);
	}

	private Answer deleteThread(Call call) {
		String id = requireThread(call).get("id").stringValue();
		this.state.threads.remove(id);
		for (ObjectTable table : List.of(this.state.messages, this.state.runs, this.state.steps)) {
			table.removeIf((object) -> id.equals(object.path("thread_id").stringValue("")));
		}
		return Answer.json(200, VectorStoresApi.deleted(id, "thread.deleted"));
	}

	private Answer listMessages(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		String runId = call.query("run_id");
		return Pages.page(call,
				this.state.messages.list((message) -> threadId.equals(message.path("thread_id").stringValue(""))
						&& (runId == null || runId.equals(message.path("run_id").stringValue("")))));
	}

	private Answer createMessage(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		ObjectNode body = call.json();
		validateMessage(body);
		return Answer.json(200, addMessage(threadId, body, null, null));
	}

	private Answer modifyMessage(Call call) {
		String id = requireMessage(call).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode message = this.state.messages.update(id, (current) -> {
			if (body.has("metadata")) {
				current.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
			}
			return current;
		});
		return (message != null) ? Answer.json(200, message) : AzureErrors.notFound("message", id);
	}

	private Answer deleteMessage(Call call) {
		String id = requireMessage(call).get("id").stringValue();
		this.state.messages.remove(id);
		return Answer.json(200, VectorStoresApi.deleted(id, "thread.message.deleted"));
	}

	private void validateMessage(JsonNode message) {
		String role = Nodes.text(message, "role");
		if (!"user".equals(role) && !"assistant".equals(role)) {
			throw new Rejection(AzureErrors.badRequest("'role' must be 'user' or 'assistant'."));
		}
		JsonNode content = message.path("content");
		if (!content.isString() && !content.isArray()) {
			throw new Rejection(AzureErrors.badRequest("'content' is a required property."));
		}
		for (JsonNode part : content) {
			String fileId = Nodes.text(part.path("image_file"), "file_id");
			if (fileId != null) {
				this.state.requireFile(fileId);
			}
		}
		for (JsonNode attachment : message.path("attachments")) {
			String fileId = Nodes.text(attachment, "file_id");
			if (fileId != null) {
				this.state.requireFile(fileId);
			}
		}
	}

	private ObjectNode addMessage(String threadId, JsonNode body, @Nullable String assistantId,
			@Nullable String runId) {
		long now = this.context.now();
		ObjectNode message = Nodes.object()
			.put("id", Ids.alphanumeric("msg_", 24))
			.put("object", "thread.message")
			.put("created_at", now)
			.put("assistant_id", assistantId)
			.put("thread_id", threadId)
			.put("run_id", runId)
			.put("role", Nodes.text(body, "role", "user"))
			.put("status", "completed")
			.putNull("incomplete_details")
			.put("completed_at", now)
			.putNull("incomplete_at");
		ArrayNode content = message.putArray("content");
		JsonNode requested = body.path("content");
		if (requested.isString()) {
			content.add(textPart(requested.stringValue()));
		}
		for (JsonNode part : requested) {
			content.add(part.path("text").isString() ? textPart(part.path("text").stringValue()) : part.deepCopy());
		}
		message.set("attachments", Nodes.copyOrEmptyArray(body, "attachments"));
		message.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		this.state.messages.put(message);
		return message;
	}

	private static ObjectNode textPart(String value) {
		ObjectNode part = Nodes.object().put("type", "text");
		part.putObject("text").put("value", value).putArray("annotations");
		return part;
	}

	private Answer listRuns(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		return Pages.page(call, this.state.runs.list((run) -> threadId.equals(run.path("thread_id").stringValue(""))));
	}

	private Answer createRun(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode assistant = requireAssistant(requiredAssistantId(body));
		JsonNode additional = body.path("additional_messages");
		for (JsonNode message : additional) {
			validateMessage(message);
		}
		ObjectNode resources = toolResources(body.path("tool_resources"));
		for (JsonNode message : additional) {
			addMessage(threadId, message, null, null);
		}
		return start(threadId, assistant, body, resources, null);
	}

	private Answer createThreadAndRun(Call call) {
		ObjectNode body = call.json();
		ObjectNode assistant = requireAssistant(requiredAssistantId(body));
		ObjectNode resources = toolResources(body.path("tool_resources"));
		ObjectNode thread = createThread(
				body.path("thread").isObject() ? (ObjectNode) body.get("thread") : Nodes.object());
		return start(thread.get("id").stringValue(), assistant, body, resources, thread);
	}

	private Answer start(String threadId, ObjectNode assistant, ObjectNode body, ObjectNode resources,
			@Nullable ObjectNode createdThread) {
		long now = this.context.now();
		ObjectNode run = Nodes.object()
			.put("id", Ids.alphanumeric("run_", 24))
			.put("object", "thread.run")
			.put("created_at", now)
			.put("assistant_id", assistant.get("id").stringValue())
			.put("thread_id", threadId)
			.put("status", "queued")
			.putNull("started_at")
			.put("expires_at", now + RUN_LIFETIME)
			.putNull("cancelled_at")
			.putNull("failed_at")
			.putNull("completed_at")
			.putNull("required_action")
			.putNull("last_error")
			.put("model", Nodes.text(body, "model", assistant.path("model").stringValue("")));
		String instructions = Nodes.text(body, "instructions");
		if (instructions == null) {
			instructions = Nodes.text(assistant, "instructions");
		}
		String additional = Nodes.text(body, "additional_instructions");
		if (additional != null) {
			instructions = (instructions != null) ? instructions + "\n" + additional : additional;
		}
		run.put("instructions", instructions);
		run.set("tools", body.path("tools").isArray() ? body.get("tools").deepCopy()
				: Nodes.copyOrEmptyArray(assistant, "tools"));
		run.set("tool_resources", resources);
		run.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		run.put("temperature", number(body, "temperature")).put("top_p", number(body, "top_p"));
		run.set("max_prompt_tokens", body.path("max_prompt_tokens").isNumber() ? body.get("max_prompt_tokens") : null);
		run.set("max_completion_tokens",
				body.path("max_completion_tokens").isNumber() ? body.get("max_completion_tokens") : null);
		run.putObject("truncation_strategy").put("type", "auto").putNull("last_messages");
		run.putNull("incomplete_details").putNull("usage");
		run.set("response_format", responseFormat(body));
		run.put("tool_choice", "auto").put("parallel_tool_calls", true);
		synchronized (this.runLock) {
			this.state.runs.put(run);
			if (!Nodes.flag(body, "stream")) {
				return Answer.json(200, run);
			}
			List<String> events = new ArrayList<>();
			if (createdThread != null) {
				events.add(Sse.event("thread.created", createdThread));
			}
			events.add(Sse.event("thread.run.created", run));
			return Answer.events(proceed(run, events, null));
		}
	}

	private Answer getRun(Call call) {
		ObjectNode run = requireRun(call);
		synchronized (this.runLock) {
			return Answer.json(200, advance(run.get("id").stringValue()));
		}
	}

	private Answer modifyRun(Call call) {
		String id = requireRun(call).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode run = this.state.runs.update(id, (current) -> {
			if (body.has("metadata")) {
				current.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
			}
			return current;
		});
		return (run != null) ? Answer.json(200, run) : AzureErrors.notFound("run", id);
	}

	private Answer cancelRun(Call call) {
		ObjectNode run = requireRun(call);
		synchronized (this.runLock) {
			ObjectNode current = this.state.runs.get(run.get("id").stringValue());
			String status = (current != null) ? current.get("status").stringValue() : "expired";
			if (current == null || !ACTIVE.contains(status)) {
				return AzureErrors.badRequest("Cannot cancel run with status '" + status + "'.");
			}
			current.put("status", "cancelling");
			this.state.runs.put(current);
			return Answer.json(200, current);
		}
	}

	private Answer submitToolOutputs(Call call) {
		ObjectNode run = requireRun(call);
		ObjectNode body = call.json();
		synchronized (this.runLock) {
			ObjectNode current = this.state.runs.get(run.get("id").stringValue());
			if (current == null || !"requires_action".equals(current.path("status").stringValue(""))) {
				String status = (current != null) ? current.path("status").stringValue("") : "expired";
				return AzureErrors.badRequest("Runs in status \"" + status + "\" do not accept tool outputs.");
			}
			ObjectNode step = toolStep(current.get("id").stringValue());
			ArrayNode toolCalls = (step != null) ? step.path("step_details").withArrayProperty("tool_calls")
					: Nodes.array();
			for (JsonNode toolCall : toolCalls) {
				String callId = toolCall.get("id").stringValue();
				JsonNode output = null;
				for (JsonNode candidate : body.path("tool_outputs")) {
					if (callId.equals(Nodes.text(candidate, "tool_call_id"))) {
						output = candidate.path("output");
					}
				}
				if (output == null) {
					return AzureErrors.badRequest("Expected tool outputs for call_ids ['" + callId + "'].");
				}
				((ObjectNode) toolCall.get("function")).put("output", output.isString() ? output.stringValue() : "");
			}
			if (step != null) {
				long now = this.context.now();
				step.put("status", "completed").put("completed_at", now);
				step.set("usage", runUsage(TextGeneration.tokens(Nodes.string(body)), 1));
				this.state.steps.put(step);
			}
			current.put("status", "queued").putNull("required_action");
			this.state.runs.put(current);
			if (!Nodes.flag(body, "stream")) {
				return Answer.json(200, current);
			}
			return Answer.events(proceed(current, new ArrayList<>(), step));
		}
	}

	private Answer listSteps(Call call) {
		String runId = requireRun(call).get("id").stringValue();
		return Pages.page(call, this.state.steps.list((step) -> runId.equals(step.path("run_id").stringValue(""))));
	}

	private Answer getStep(Call call) {
		String runId = requireRun(call).get("id").stringValue();
		String id = call.variable("step");
		ObjectNode step = this.state.steps.get(id);
		if (step == null || !runId.equals(step.path("run_id").stringValue(""))) {
			return AzureErrors.notFound("step", id);
		}
		return Answer.json(200, step);
	}

	// The first poll of a queued run moves it on, as a real run would move on meanwhile.
	private ObjectNode advance(String runId) {
		ObjectNode run = this.state.runs.get(runId);
		if (run == null) {
			throw new Rejection(AzureErrors.notFound("run", runId));
		}
		switch (run.get("status").stringValue()) {
			case "queued", "in_progress" -> {
				return needsToolOutputs(run) ? requireAction(run) : complete(run).run();
			}
			case "cancelling" -> {
				run.put("status", "cancelled").put("cancelled_at", this.context.now());
				run.set("usage", runUsage(promptTokens(run), 0));
				this.state.runs.put(run);
				return run;
			}
			default -> {
				return run;
			}
		}
	}

	// Streams the rest of a run's life, from queued to completed or requires_action.
	private List<String> proceed(ObjectNode run, List<String> events, @Nullable ObjectNode submittedStep) {
		events.add(Sse.event("thread.run.queued", run));
		ObjectNode inProgress = run.deepCopy().put("status", "in_progress").put("started_at", this.context.now());
		this.state.runs.put(inProgress);
		events.add(Sse.event("thread.run.in_progress", inProgress));
		if (submittedStep != null) {
			events.add(Sse.event("thread.run.step.completed", submittedStep));
		}
		if (needsToolOutputs(inProgress)) {
			ObjectNode waiting = requireAction(inProgress);
			ObjectNode step = toolStep(inProgress.get("id").stringValue());
			if (step != null) {
				events.add(Sse.event("thread.run.step.created", step));
			}
			events.add(Sse.event("thread.run.requires_action", waiting));
			events.add(Sse.DONE_EVENT);
			return events;
		}
		Completion completion = complete(inProgress);
		ObjectNode step = completion.step().deepCopy().put("status", "in_progress").putNull("completed_at");
		step.putNull("usage");
		events.add(Sse.event("thread.run.step.created", step));
		ObjectNode message = completion.message().deepCopy().put("status", "in_progress").putNull("completed_at");
		message.putArray("content");
		events.add(Sse.event("thread.message.created", message));
		String messageId = message.get("id").stringValue();
		for (String delta : completion.deltas()) {
			ObjectNode event = Nodes.object().put("id", messageId).put("object", "thread.message.delta");
			event.putObject("delta").putArray("content").add(textPart(delta).put("index", 0));
			events.add(Sse.event("thread.message.delta", event));
		}
		events.add(Sse.event("thread.message.completed", completion.message()));
		events.add(Sse.event("thread.run.step.completed", completion.step()));
		events.add(Sse.event("thread.run." + completion.run().get("status").stringValue(), completion.run()));
		events.add(Sse.DONE_EVENT);
		return events;
	}

	private boolean needsToolOutputs(ObjectNode run) {
		return functionName(run) != null && toolStep(run.get("id").stringValue()) == null;
	}

	private @Nullable String functionName(ObjectNode run) {
		for (JsonNode tool : run.path("tools")) {
			if ("function".equals(Nodes.text(tool, "type"))) {
				return Nodes.text(tool.path("function"), "name", "function");
			}
		}
		return null;
	}

	private @Nullable ObjectNode toolStep(String runId) {
		return this.state.steps
			.list((step) -> runId.equals(step.path("run_id").stringValue(""))
					&& "tool_calls".equals(step.path("type").stringValue("")))
			.stream()
			.findFirst()
			.orElse(null);
	}

	private ObjectNode requireAction(ObjectNode run) {
		String callId = Ids.alphanumeric("call_", 24);
		ObjectNode toolCall = Nodes.object().put("id", callId).put("type", "function");
		toolCall.putObject("function").put("name", functionName(run)).put("arguments", "{}");
		ObjectNode step = step(run, "tool_calls", "in_progress");
		ObjectNode stepCall = toolCall.deepCopy();
		stepCall.withObjectProperty("function").putNull("output");
		step.putObject("step_details").put("type", "tool_calls").putArray("tool_calls").add(stepCall);
		step.putNull("usage");
		this.state.steps.put(step);
		run.put("status", "requires_action");
		if (run.path("started_at").isNull()) {
			run.put("started_at", this.context.now());
		}
		run.putObject("required_action")
			.put("type", "submit_tool_outputs")
			.putObject("submit_tool_outputs")
			.putArray("tool_calls")
			.add(toolCall);
		this.state.runs.put(run);
		return run;
	}

	private Completion complete(ObjectNode run) {
		long now = this.context.now();
		int wanted = this.context.settings().streamChunks();
		JsonNode cap = run.path("max_completion_tokens");
		int completionTokens = cap.isNumber() ? Math.min(wanted, Math.max(0, cap.intValue())) : wanted;
		List<String> words = TextGeneration.words(completionTokens, this.context.settings().name());
		int promptTokens = promptTokens(run);
		String runId = run.get("id").stringValue();
		String threadId = run.get("thread_id").stringValue();
		ObjectNode request = Nodes.object().put("role", "assistant").put("content", String.join(" ", words));
		ObjectNode message = addMessage(threadId, request, run.get("assistant_id").stringValue(), runId);
		ObjectNode step = step(run, "message_creation", "completed").put("completed_at", now);
		step.putObject("step_details")
			.put("type", "message_creation")
			.putObject("message_creation")
			.put("message_id", message.get("id").stringValue());
		step.set("usage", runUsage(promptTokens, completionTokens));
		this.state.steps.put(step);
		if (run.path("started_at").isNull()) {
			run.put("started_at", now);
		}
		if (completionTokens < wanted) {
			run.put("status", "incomplete").putObject("incomplete_details").put("reason", "max_completion_tokens");
		}
		else {
			run.put("status", "completed").put("completed_at", now);
		}
		run.set("usage", runUsage(promptTokens, completionTokens));
		this.state.runs.put(run);
		this.context.charge(run.path("model").stringValue(""), (long) promptTokens + completionTokens);
		return new Completion(run, message, step, TextGeneration.deltas(words));
	}

	private ObjectNode step(ObjectNode run, String type, String status) {
		return Nodes.object()
			.put("id", Ids.alphanumeric("step_", 24))
			.put("object", "thread.run.step")
			.put("created_at", this.context.now())
			.put("run_id", run.get("id").stringValue())
			.put("assistant_id", run.get("assistant_id").stringValue())
			.put("thread_id", run.get("thread_id").stringValue())
			.put("type", type)
			.put("status", status)
			.putNull("cancelled_at")
			.putNull("completed_at")
			.putNull("expired_at")
			.putNull("failed_at")
			.putNull("last_error");
	}

	private int promptTokens(ObjectNode run) {
		String threadId = run.get("thread_id").stringValue();
		List<ObjectNode> messages = this.state.messages
			.list((message) -> threadId.equals(message.path("thread_id").stringValue("")));
		StringBuilder text = new StringBuilder(run.path("instructions").stringValue(""));
		messages.forEach((message) -> text.append(TextGeneration.text(message.path("content"))));
		return TextGeneration.tokens(text.toString()) + 4 * messages.size();
	}

	private static ObjectNode runUsage(int prompt, int completion) {
		return Nodes.object()
			.put("prompt_tokens", prompt)
			.put("completion_tokens", completion)
			.put("total_tokens", prompt + completion);
	}

	// Checks every reference first; the vector_stores helper then creates stores.
	private ObjectNode toolResources(JsonNode requested) {
		ObjectNode resources = Nodes.object();
		if (!requested.isObject()) {
			return resources;
		}
		JsonNode codeInterpreter = requested.path("code_interpreter");
		List<String> fileIds = Nodes.texts(codeInterpreter, "file_ids");
		fileIds.forEach(this.state::requireFile);
		JsonNode fileSearch = requested.path("file_search");
		List<String> storeIds = new ArrayList<>(Nodes.texts(fileSearch, "vector_store_ids"));
		storeIds.forEach(this.state::requireVectorStore);
		for (JsonNode helper : fileSearch.path("vector_stores")) {
			Nodes.texts(helper, "file_ids").forEach(this.state::requireFile);
		}
		for (JsonNode helper : fileSearch.path("vector_stores")) {
			if (helper.isObject()) {
				storeIds.add(this.vectorStores.create((ObjectNode) helper).get("id").stringValue());
			}
		}
		if (codeInterpreter.isObject()) {
			ArrayNode ids = resources.putObject("code_interpreter").putArray("file_ids");
			fileIds.forEach(ids::add);
		}
		if (fileSearch.isObject()) {
			ArrayNode ids = resources.putObject("file_search").putArray("vector_store_ids");
			storeIds.forEach(ids::add);
		}
		return resources;
	}

	private ObjectNode requireAssistant(String id) {
		ObjectNode assistant = this.state.assistants.get(id);
		if (assistant == null) {
			throw new Rejection(AzureErrors.notFound("assistant", id));
		}
		return assistant;
	}

	private static String requiredAssistantId(ObjectNode body) {
		String id = Nodes.text(body, "assistant_id");
		if (id == null || id.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'assistant_id' is a required property."));
		}
		return id;
	}

	private ObjectNode requireThread(Call call) {
		String id = call.variable("thread");
		ObjectNode thread = this.state.threads.get(id);
		if (thread == null) {
			throw new Rejection(AzureErrors.notFound("thread", id));
		}
		return thread;
	}

	private ObjectNode requireMessage(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		String id = call.variable("message");
		ObjectNode message = this.state.messages.get(id);
		if (message == null || !threadId.equals(message.path("thread_id").stringValue(""))) {
			throw new Rejection(AzureErrors.notFound("message", id));
		}
		return message;
	}

	private ObjectNode requireRun(Call call) {
		String threadId = requireThread(call).get("id").stringValue();
		String id = call.variable("run");
		ObjectNode run = this.state.runs.get(id);
		if (run == null || !threadId.equals(run.path("thread_id").stringValue(""))) {
			throw new Rejection(AzureErrors.notFound("run", id));
		}
		return run;
	}

	private static double number(ObjectNode body, String field) {
		JsonNode value = body.path(field);
		return value.isNumber() ? value.doubleValue() : 1.0;
	}

	private static JsonNode responseFormat(ObjectNode body) {
		JsonNode format = body.get("response_format");
		return (format != null && !format.isNull()) ? format.deepCopy() : Nodes.textNode("auto");
	}

	/**
	 * What finishing a run produced.
	 *
	 * @param run the finished run
	 * @param message the assistant's message
	 * @param step the message-creation step
	 * @param deltas the message's text as streamed deltas
	 */
	private record Completion(ObjectNode run, ObjectNode message, ObjectNode step, List<String> deltas) {

	}

}
