package io.aoaigateway.simulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Chat completions, completions and embeddings, on deployment paths, on the {@code /v1}
 * paths and on the AI Model Inference {@code /models/chat/completions} path.
 */
final class InferenceApi {

	private static final String FINGERPRINT = "fp_65792305e4";

	private static final int DEFAULT_EMBEDDING_DIMENSIONS = 8;

	private static final Set<String> MODELS_FIELDS = Set.of("messages", "model", "max_tokens", "temperature", "top_p",
			"stop", "stream", "frequency_penalty", "presence_penalty", "seed", "response_format", "tools",
			"tool_choice", "modalities");

	private final ResourceContext context;

	InferenceApi(ResourceContext context) {
		this.context = context;
	}

	void register(Routes routes) {
		routes.post("/openai/deployments/{deployment}/chat/completions", this::chat)
			.post("/openai/deployments/{deployment}/extensions/chat/completions", this::chat)
			.post("/openai/deployments/{deployment}/completions", this::completions)
			.post("/openai/deployments/{deployment}/embeddings", this::embeddings)
			.post("/openai/v1/chat/completions", this::chatV1)
			.post("/openai/v1/embeddings", this::embeddingsV1)
			.post("/models/chat/completions", this::modelsChat);
	}

	private Answer chat(Call call) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		return chat(call, call.json(), deployment, Flavor.AZURE_OPENAI);
	}

	private Answer chatV1(Call call) {
		ObjectNode body = call.json();
		String deployment = requiredModel(body);
		this.context.requireDeployment(deployment);
		return chat(call, body, deployment, Flavor.AZURE_OPENAI);
	}

	private Answer modelsChat(Call call) {
		ObjectNode body = call.json();
		List<String> extra = new ArrayList<>();
		body.propertyNames().stream().filter((field) -> !MODELS_FIELDS.contains(field)).forEach(extra::add);
		String mode = call.request().header("extra-parameters");
		if (!extra.isEmpty() && "drop".equals(mode)) {
			body.remove(extra);
		}
		else if (!extra.isEmpty() && !"pass-through".equals(mode)) {
			return AzureErrors.extraParametersNotAllowed(extra);
		}
		String model = Nodes.text(body, "model");
		String deployment = (model != null) ? model
				: this.context.settings().deployments().stream().findFirst().orElse("");
		if (!this.context.hosts(deployment)) {
			return AzureErrors.deploymentNotFound().withHeader("x-ms-error-code", "DeploymentNotFound");
		}
		return chat(call, body, deployment, Flavor.MODEL_INFERENCE);
	}

	/**
	 * A non-streamed chat completion, e.g. for one line of a batch.
	 * @param body the request body
	 * @param deployment the deployment that answers
	 * @return the {@code chat.completion} object
	 */
	ObjectNode chatCompletion(ObjectNode body, String deployment) {
		Prompt prompt = chatPrompt(body);
		Generation generation = generate(body, choices(body), Integer.MAX_VALUE);
		return chatCompletion(Ids.alphanumeric("chatcmpl-", 29), deployment, prompt, generation, Flavor.AZURE_OPENAI);
	}

	private Answer chat(Call call, ObjectNode body, String deployment, Flavor flavor) {
		Prompt prompt = chatPrompt(body);
		int choiceCount = (flavor == Flavor.AZURE_OPENAI) ? choices(body) : 1;
		Map<String, String> admitted = this.context.admit(call.request(), deployment,
				Capacity.estimate(prompt.text(), maxTokens(body)));
		Generation generation = generate(body, choiceCount, Integer.MAX_VALUE);
		Map<String, String> rateLimits = this.context.charge(deployment,
				(long) prompt.tokens() + generation.completionTokens(), admitted);
		String id = Ids.alphanumeric("chatcmpl-", 29);
		if (Nodes.flag(body, "stream")) {
			boolean includeUsage = Nodes.flag(body.path("stream_options"), "include_usage");
			return Answer.events(chatEvents(id, deployment, prompt, generation, includeUsage, flavor))
				.withHeaders(rateLimits);
		}
		return Answer.json(200, chatCompletion(id, deployment, prompt, generation, flavor)).withHeaders(rateLimits);
	}

	private ObjectNode chatCompletion(String id, String deployment, Prompt prompt, Generation generation,
			Flavor flavor) {
		boolean azure = flavor == Flavor.AZURE_OPENAI;
		ObjectNode completion = Nodes.object()
			.put("id", id)
			.put("object", "chat.completion")
			.put("created", this.context.now())
			.put("model", deployment);
		if (azure) {
			completion.set("prompt_filter_results", TextGeneration.promptFilterResults());
			completion.put("system_fingerprint", FINGERPRINT);
		}
		ArrayNode choices = completion.putArray("choices");
		for (int index = 0; index < generation.choices(); index++) {
			ObjectNode choice = choices.addObject()
				.put("index", index)
				.put("finish_reason", generation.finishReason())
				.putNull("logprobs");
			ObjectNode message = choice.putObject("message").put("role", "assistant").put("content", generation.text());
			if (azure) {
				message.putNull("refusal");
				choice.set("content_filter_results", TextGeneration.choiceFilterResults());
			}
			else {
				message.putNull("tool_calls");
			}
		}
		completion.set("usage", azure ? TextGeneration.usage(prompt.tokens(), generation.completionTokens())
				: modelInferenceUsage(prompt.tokens(), generation.completionTokens()));
		return completion;
	}

	// Azure opens every chat stream with a chunk that carries only the prompt filter
	// results; include_usage adds "usage":null to every chunk and a final usage chunk.
	private List<String> chatEvents(String id, String deployment, Prompt prompt, Generation generation,
			boolean includeUsage, Flavor flavor) {
		boolean azure = flavor == Flavor.AZURE_OPENAI;
		long created = this.context.now();
		List<ObjectNode> chunks = new ArrayList<>();
		if (azure) {
			ObjectNode first = Nodes.object();
			first.putArray("choices");
			first.put("created", 0).put("id", "").put("model", "").put("object", "");
			first.set("prompt_filter_results", TextGeneration.promptFilterResults());
			chunks.add(first);
		}
		List<String> deltas = TextGeneration.deltas(generation.words());
		if (deltas.isEmpty()) {
			deltas = List.of("");
		}
		for (int position = 0; position < deltas.size(); position++) {
			for (int index = 0; index < generation.choices(); index++) {
				ObjectNode chunk = chunk(id, created, deployment, azure);
				ObjectNode choice = chunk.withArrayProperty("choices").addObject();
				ObjectNode delta = choice.putObject("delta");
				if (position == 0) {
					delta.put("role", "assistant");
				}
				delta.put("content", deltas.get(position));
				if (azure) {
					delta.putNull("refusal");
					choice.set("content_filter_results", TextGeneration.choiceFilterResults());
				}
				choice.putNull("finish_reason").put("index", index).putNull("logprobs");
				chunks.add(chunk);
			}
		}
		for (int index = 0; index < generation.choices(); index++) {
			ObjectNode chunk = chunk(id, created, deployment, azure);
			ObjectNode choice = chunk.withArrayProperty("choices").addObject();
			if (azure) {
				choice.putObject("content_filter_results");
			}
			choice.putObject("delta");
			choice.put("finish_reason", generation.finishReason()).put("index", index).putNull("logprobs");
			chunks.add(chunk);
		}
		if (includeUsage) {
			chunks.forEach((chunk) -> chunk.putNull("usage"));
			ObjectNode last = chunk(id, created, deployment, azure);
			last.set("usage", azure ? TextGeneration.usage(prompt.tokens(), generation.completionTokens())
					: modelInferenceUsage(prompt.tokens(), generation.completionTokens()));
			chunks.add(last);
		}
		List<String> events = new ArrayList<>(chunks.stream().map(Sse::data).toList());
		events.add(Sse.DONE);
		return events;
	}

	private static ObjectNode chunk(String id, long created, String deployment, boolean azure) {
		ObjectNode chunk = Nodes.object();
		chunk.putArray("choices");
		chunk.put("created", created).put("id", id).put("model", deployment).put("object", "chat.completion.chunk");
		if (azure) {
			chunk.put("system_fingerprint", FINGERPRINT);
		}
		return chunk;
	}

	private Answer completions(Call call) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		ObjectNode body = call.json();
		String promptText = promptText(body.path("prompt"));
		if (TextGeneration.triggersContentFilter(promptText)) {
			throw new Rejection(AzureErrors.contentFilter());
		}
		int promptTokens = Math.max(1, TextGeneration.tokens(promptText));
		int choiceCount = choices(body);
		Map<String, String> admitted = this.context.admit(call.request(), deployment,
				Capacity.estimate(promptText, maxTokens(body)));
		// Completions default to 16 tokens when max_tokens is absent.
		Generation generation = generate(body, choiceCount, 16);
		Map<String, String> rateLimits = this.context.charge(deployment,
				(long) promptTokens + generation.completionTokens(), admitted);
		String id = Ids.alphanumeric("cmpl-", 29);
		long created = this.context.now();
		if (!Nodes.flag(body, "stream")) {
			ObjectNode completion = completionChunk(id, created, deployment);
			completion.set("prompt_filter_results", TextGeneration.promptFilterResults());
			ArrayNode choices = completion.withArrayProperty("choices");
			for (int index = 0; index < generation.choices(); index++) {
				choices.addObject()
					.put("text", generation.text())
					.put("index", index)
					.put("finish_reason", generation.finishReason())
					.putNull("logprobs")
					.set("content_filter_results", TextGeneration.choiceFilterResults());
			}
			completion.set("usage", TextGeneration.usage(promptTokens, generation.completionTokens()));
			return Answer.json(200, completion).withHeaders(rateLimits);
		}
		List<ObjectNode> chunks = new ArrayList<>();
		ObjectNode first = completionChunk("", 0, "");
		first.put("object", "");
		first.set("prompt_filter_results", TextGeneration.promptFilterResults());
		chunks.add(first);
		for (String delta : TextGeneration.deltas(generation.words())) {
			for (int index = 0; index < generation.choices(); index++) {
				ObjectNode chunk = completionChunk(id, created, deployment);
				chunk.withArrayProperty("choices")
					.addObject()
					.put("text", delta)
					.put("index", index)
					.putNull("finish_reason")
					.putNull("logprobs")
					.set("content_filter_results", TextGeneration.choiceFilterResults());
				chunks.add(chunk);
			}
		}
		for (int index = 0; index < generation.choices(); index++) {
			ObjectNode chunk = completionChunk(id, created, deployment);
			chunk.withArrayProperty("choices")
				.addObject()
				.put("text", "")
				.put("index", index)
				.put("finish_reason", generation.finishReason())
				.putNull("logprobs");
			chunks.add(chunk);
		}
		if (Nodes.flag(body.path("stream_options"), "include_usage")) {
			chunks.forEach((chunk) -> chunk.putNull("usage"));
			ObjectNode last = completionChunk(id, created, deployment);
			last.set("usage", TextGeneration.usage(promptTokens, generation.completionTokens()));
			chunks.add(last);
		}
		List<String> events = new ArrayList<>(chunks.stream().map(Sse::data).toList());
		events.add(Sse.DONE);
		return Answer.events(events).withHeaders(rateLimits);
	}

	private static ObjectNode completionChunk(String id, long created, String deployment) {
		ObjectNode chunk = Nodes.object()
			.put("id", id)
			.put("object", "text_completion")
			.put("created", created)
			.put("model", deployment);
		chunk.putArray("choices");
		return chunk;
	}

	private Answer embeddings(Call call) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		return embeddings(call, call.json(), deployment);
	}

	private Answer embeddingsV1(Call call) {
		ObjectNode body = call.json();
		String deployment = requiredModel(body);
		this.context.requireDeployment(deployment);
		return embeddings(call, body, deployment);
	}

	private Answer embeddings(Call call, ObjectNode body, String deployment) {
		List<String> inputs = embeddingInputs(body.path("input"));
		if (inputs.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'input' is a required property and must not be empty."));
		}
		// An embedding generates nothing: only its inputs count.
		Map<String, String> admitted = this.context.admit(call.request(), deployment,
				Capacity.estimate(String.join("", inputs), 0));
		Integer requested = Nodes.integer(body, "dimensions");
		int dimensions = (requested != null && requested > 0 && requested <= 3072) ? requested
				: DEFAULT_EMBEDDING_DIMENSIONS;
		boolean base64 = "base64".equals(Nodes.text(body, "encoding_format"));
		ObjectNode answer = Nodes.object().put("object", "list").put("model", deployment);
		ArrayNode data = answer.putArray("data");
		int tokens = 0;
		for (int index = 0; index < inputs.size(); index++) {
			String input = inputs.get(index);
			tokens += Math.max(1, TextGeneration.tokens(input));
			float[] vector = embedding(input, dimensions);
			ObjectNode item = data.addObject().put("object", "embedding").put("index", index);
			if (base64) {
				ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
				for (float value : vector) {
					bytes.putFloat(value);
				}
				item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
			}
			else {
				ArrayNode values = item.putArray("embedding");
				for (float value : vector) {
					values.add(value);
				}
			}
		}
		answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
		return Answer.json(200, answer).withHeaders(this.context.charge(deployment, tokens, admitted));
	}

	// Seeded by the text, so the same input always gets the same unit vector.
	private static float[] embedding(String input, int dimensions) {
		SplittableRandom random = new SplittableRandom(input.hashCode());
		double[] raw = new double[dimensions];
		double norm = 0;
		for (int i = 0; i < dimensions; i++) {
			raw[i] = random.nextDouble(-1, 1);
			norm += raw[i] * raw[i];
		}
		norm = Math.sqrt(norm);
		float[] vector = new float[dimensions];
		for (int i = 0; i < dimensions; i++) {
			vector[i] = (float) (raw[i] / norm);
		}
		return vector;
	}

	private static List<String> embeddingInputs(JsonNode input) {
		List<String> inputs = new ArrayList<>();
		if (input.isString()) {
			inputs.add(input.stringValue());
		}
		else if (input.isArray() && input.size() > 0 && input.get(0).isNumber()) {
			inputs.add(input.toString());
		}
		else if (input.isArray()) {
			for (JsonNode element : input) {
				inputs.add(element.isString() ? element.stringValue() : element.toString());
			}
		}
		return inputs;
	}

	private static String requiredModel(ObjectNode body) {
		String model = Nodes.text(body, "model");
		if (model == null || model.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'model' is a required property."));
		}
		return model;
	}

	/**
	 * The prompt of a chat request.
	 * @param body the request body
	 * @return the prompt's text and estimated tokens
	 * @throws Rejection with a 400 without messages, or with the content filter's 400
	 */
	static Prompt chatPrompt(ObjectNode body) {
		JsonNode messages = body.path("messages");
		if (!messages.isArray() || messages.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'messages' is a required property and must not be empty."));
		}
		StringBuilder text = new StringBuilder();
		for (JsonNode message : messages) {
			text.append(TextGeneration.text(message.path("content")));
		}
		Prompt prompt = new Prompt(text.toString(), TextGeneration.tokens(text.toString()) + 4 * messages.size());
		if (TextGeneration.triggersContentFilter(prompt.text())) {
			throw new Rejection(AzureErrors.contentFilter());
		}
		return prompt;
	}

	private static String promptText(JsonNode prompt) {
		if (prompt.isString()) {
			return prompt.stringValue();
		}
		StringBuilder text = new StringBuilder();
		for (JsonNode element : prompt) {
			text.append(element.isString() ? element.stringValue() : element.toString());
		}
		return text.toString();
	}

	private static int choices(ObjectNode body) {
		Integer n = Nodes.integer(body, "n");
		if (n == null) {
			return 1;
		}
		if (n < 1 || n > 128) {
			throw new Rejection(AzureErrors.badRequest("Invalid value for 'n': expected an integer from 1 to 128."));
		}
		return n;
	}

	private static @Nullable Integer maxTokens(ObjectNode body) {
		Integer maxTokens = Nodes.integer(body, "max_tokens");
		return (maxTokens != null) ? maxTokens : Nodes.integer(body, "max_completion_tokens");
	}

	private Generation generate(ObjectNode body, int choices, int defaultMaxTokens) {
		Integer maxTokens = maxTokens(body);
		int cap = (maxTokens != null) ? Math.max(0, maxTokens) : defaultMaxTokens;
		int wanted = this.context.settings().streamChunks();
		List<String> words = TextGeneration.words(Math.min(wanted, cap), this.context.settings().name());
		return new Generation(words, choices, (wanted > cap) ? "length" : "stop");
	}

	private static ObjectNode modelInferenceUsage(int prompt, int completion) {
		ObjectNode usage = Nodes.object()
			.put("completion_tokens", completion)
			.put("prompt_tokens", prompt)
			.put("total_tokens", prompt + completion);
		usage.putObject("completion_tokens_details").put("audio_tokens", 0).put("total_tokens", completion);
		usage.putObject("prompt_tokens_details").put("audio_tokens", 0).put("cached_tokens", 0);
		return usage;
	}

	private enum Flavor {

		AZURE_OPENAI, MODEL_INFERENCE

	}

	/**
	 * A prompt as the simulated model sees it.
	 *
	 * @param text all message text
	 * @param tokens estimated prompt tokens
	 */
	record Prompt(String text, int tokens) {

	}

	/**
	 * What the simulated model writes for one request.
	 *
	 * @param words the words of each choice
	 * @param choices how many choices
	 * @param finishReason {@code stop}, or {@code length} when capped by
	 * {@code max_tokens}
	 */
	record Generation(List<String> words, int choices, String finishReason) {

		String text() {
			return String.join(" ", this.words);
		}

		int completionTokens() {
			return this.words.size() * this.choices;
		}

	}

}
