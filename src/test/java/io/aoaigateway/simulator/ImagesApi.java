package io.aoaigateway.simulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * DALL-E 3 image generation on a deployment, and the DALL-E 2 preview's submit-then-poll
 * image operations.
 */
final class ImagesApi {

	// A 1x1 transparent PNG, for response_format b64_json.
	private static final String PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

	private static final long DAY = 86_400;

	private final ResourceContext context;

	private final SimulatorState state;

	ImagesApi(ResourceContext context, SimulatorState state) {
		this.context = context;
		this.state = state;
	}

	void register(Routes routes) {
		routes.post("/openai/deployments/{deployment}/images/generations", this::generate)
			.post("/openai/images/generations:submit", this::submit)
			.get("/openai/operations/images/{operation}", this::operation)
			.delete("/openai/operations/images/{operation}", this::deleteOperation);
	}

	private Answer generate(Call call) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		ObjectNode body = call.json();
		String prompt = requiredPrompt(body);
		int count = count(body, 10);
		boolean base64 = "b64_json".equals(Nodes.text(body, "response_format"));
		ObjectNode answer = Nodes.object().put("created", this.context.now());
		ArrayNode data = answer.putArray("data");
		for (int i = 0; i < count; i++) {
			ObjectNode image = data.addObject();
			image.set("content_filter_results", TextGeneration.severities(Nodes.object()));
			image.set("prompt_filter_results", TextGeneration.imagePromptFilterResults());
			image.put("revised_prompt", "A simulated image of: " + prompt);
			if (base64) {
				image.put("b64_json", PIXEL_PNG);
			}
			else {
				image.put("url", imageUrl(i));
			}
		}
		return Answer.json(200, answer).withHeaders(this.context.charge(deployment, 0));
	}

	private Answer submit(Call call) {
		ObjectNode body = call.json();
		requiredPrompt(body);
		String id = Ids.uuid();
		long created = this.context.now();
		ObjectNode operation = Nodes.object()
			.put("created", created)
			.put("expires", created + DAY)
			.put("id", id)
			.put("status", "succeeded");
		ObjectNode result = operation.putObject("result").put("created", created);
		ArrayNode data = result.putArray("data");
		for (int i = 0; i < count(body, 5); i++) {
			data.addObject().put("url", imageUrl(i));
		}
		this.state.imageOperations.put(operation);
		String location = this.context.baseUrl().get() + "/openai/operations/images/" + id + call.apiVersionQuery();
		return Answer.json(202, Nodes.object().put("id", id).put("status", "notRunning"))
			.withHeader("operation-location", location);
	}

	private Answer operation(Call call) {
		String id = call.variable("operation");
		ObjectNode operation = this.state.imageOperations.get(id);
		return (operation != null) ? Answer.json(200, operation) : AzureErrors.notFound("operation", id);
	}

	private Answer deleteOperation(Call call) {
		String id = call.variable("operation");
		return (this.state.imageOperations.remove(id) != null) ? Answer.empty(204)
				: AzureErrors.notFound("operation", id);
	}

	private static String requiredPrompt(ObjectNode body) {
		String prompt = Nodes.text(body, "prompt");
		if (prompt == null || prompt.isBlank()) {
			throw new Rejection(AzureErrors.badRequest("'prompt' is a required property."));
		}
		if (TextGeneration.triggersContentFilter(prompt)) {
			throw new Rejection(AzureErrors.contentFilter());
		}
		return prompt;
	}

	private static int count(ObjectNode body, int max) {
		Integer n = Nodes.integer(body, "n");
		return (n != null) ? Math.max(1, Math.min(max, n)) : 1;
	}

	// Shaped like the pre-signed blob URLs Azure hands out, valid for a day.
	private String imageUrl(int index) {
		Instant now = this.context.clock().instant().truncatedTo(ChronoUnit.SECONDS);
		return "https://dalleprodsec.blob.core.windows.net/private/images/" + Ids.uuid() + "/generated_0" + index
				+ ".png?se=" + encode(now.plusSeconds(DAY).toString()) + "&sig="
				+ encode(Ids.alphanumeric("", 43) + "=") + "&ske=" + encode(now.plusSeconds(7 * DAY).toString())
				+ "&skoid=" + Ids.uuid() + "&sks=b&skt=" + encode(now.toString()) + "&sktid=" + Ids.uuid()
				+ "&skv=2020-10-02&sp=r&spr=https&sr=b&sv=2020-10-02";
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
