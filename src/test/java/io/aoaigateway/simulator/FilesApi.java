package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Files API (multipart uploads kept in memory) and the Batch API, whose batches run
 * their chat requests through the simulated model as they are polled.
 */
final class FilesApi {

	private static final long DAY = 86_400;

	private final ResourceContext context;

	private final SimulatorState state;

	private final InferenceApi inference;

	FilesApi(ResourceContext context, SimulatorState state, InferenceApi inference) {
		this.context = context;
		this.state = state;
		this.inference = inference;
	}

	// Each route answers on the v1 path, without an api-version, and on the dated one.
	void register(Routes routes) {
		for (String base : List.of("/openai/v1", "/openai")) {
			routes.post(base + "/files", this::upload)
				.get(base + "/files", this::listFiles)
				.get(base + "/files/{file}", this::getFile)
				.delete(base + "/files/{file}", this::deleteFile)
				.get(base + "/files/{file}/content", this::content)
				.post(base + "/batches", this::createBatch)
				.get(base + "/batches", this::listBatches)
				.get(base + "/batches/{batch}", this::getBatch)
				.post(base + "/batches/{batch}/cancel", this::cancelBatch);
		}
	}

	private Answer upload(Call call) {
		Multipart form = Multipart.parse(call.request().header("content-type"), call.request().body());
		String purpose = form.text("purpose");
		Multipart.Part file = form.part("file");
		if (purpose == null || purpose.isBlank()) {
			throw new Rejection(AzureErrors.badRequest("'purpose' is a required property."));
		}
		if (file == null) {
			throw new Rejection(AzureErrors.badRequest("'file' is a required property."));
		}
		ObjectNode stored = store(purpose.trim(), (file.filename() != null) ? file.filename() : "file", file.content());
		String base = call.request().path().startsWith("/openai/v1/") ? "/openai/v1" : "/openai";
		String location = this.context.baseUrl().get() + base + "/files/" + stored.get("id").stringValue()
				+ call.apiVersionQuery();
		return Answer.json(201, stored).withHeader("location", location);
	}

	/**
	 * Keeps a file as the Files API serves it, also for a completed upload.
	 * @param purpose the file's purpose
	 * @param filename the file's name
	 * @param content the file's bytes
	 * @return the file object
	 */
	ObjectNode store(String purpose, String filename, byte[] content) {
		ObjectNode file = Nodes.object()
			.put("object", "file")
			.put("id", Ids.alphanumeric("file-", 24))
			.put("purpose", purpose)
			.put("filename", filename)
			.put("bytes", content.length)
			.put("created_at", this.context.now())
			.put("status", "processed")
			.putNull("status_details");
		this.state.fileContents.put(file.get("id").stringValue(), content);
		this.state.files.put(file);
		return file;
	}

	private Answer listFiles(Call call) {
		String purpose = call.query("purpose");
		return Pages.page(call, this.state.files
			.list((file) -> purpose == null || purpose.equals(file.path("purpose").stringValue(""))));
	}

	private Answer getFile(Call call) {
		String id = call.variable("file");
		ObjectNode file = this.state.files.get(id);
		return (file != null) ? Answer.json(200, file) : AzureErrors.notFound("file", id);
	}

	private Answer deleteFile(Call call) {
		String id = call.variable("file");
		if (this.state.files.remove(id) == null) {
			return AzureErrors.notFound("file", id);
		}
		this.state.fileContents.remove(id);
		return Answer.json(200, Nodes.object().put("object", "file").put("deleted", true).put("id", id));
	}

	private Answer content(Call call) {
		String id = call.variable("file");
		byte[] content = this.state.fileContents.get(id);
		return (content != null) ? Answer.bytes(200, "application/octet-stream", content)
				: AzureErrors.notFound("file", id);
	}

	private Answer createBatch(Call call) {
		ObjectNode body = call.json();
		String inputFileId = Nodes.text(body, "input_file_id");
		String endpoint = Nodes.text(body, "endpoint");
		if (inputFileId == null || endpoint == null || Nodes.text(body, "completion_window") == null) {
			throw new Rejection(AzureErrors
				.badRequest("'input_file_id', 'endpoint' and 'completion_window' are required properties."));
		}
		if (!endpoint.endsWith("/chat/completions")) {
			throw new Rejection(AzureErrors.badRequest("The simulator only runs batches of /chat/completions."));
		}
		this.state.requireFile(inputFileId);
		long created = this.context.now();
		ObjectNode batch = Nodes.object()
			.put("object", "batch")
			.put("id", "batch_" + Ids.uuid())
			.put("endpoint", endpoint)
			.putNull("errors")
			.put("input_file_id", inputFileId)
			.put("completion_window", Nodes.text(body, "completion_window"))
			.put("status", "validating")
			.putNull("output_file_id")
			.putNull("error_file_id")
			.put("created_at", created)
			.putNull("in_progress_at")
			.put("expires_at", created + DAY)
			.putNull("finalizing_at")
			.putNull("completed_at")
			.putNull("failed_at")
			.putNull("expired_at")
			.putNull("cancelling_at")
			.putNull("cancelled_at");
		batch.putObject("request_counts").put("total", 0).put("completed", 0).put("failed", 0);
		batch.set("metadata", body.path("metadata").isObject() ? body.get("metadata").deepCopy() : null);
		this.state.batches.put(batch);
		int lines = lines(inputFileId).length;
		return Answer.json(201, batch)
			.withHeaders(Map.of("deployment-enqueued-tokens", String.valueOf(lines * 100L),
					"deployment-maximum-enqueued-tokens", "5000000"));
	}

	private Answer listBatches(Call call) {
		return Pages.page(call, this.state.batches.list((batch) -> true));
	}

	// Each poll moves a batch one step: validating, in_progress, then completed.
	private Answer getBatch(Call call) {
		String id = call.variable("batch");
		ObjectNode batch = this.state.batches.update(id, this::advance);
		return (batch != null) ? Answer.json(200, batch) : AzureErrors.notFound("batch", id);
	}

	private ObjectNode advance(ObjectNode batch) {
		long now = this.context.now();
		switch (batch.get("status").stringValue()) {
			case "validating" -> {
				batch.put("status", "in_progress").put("in_progress_at", now);
				batch.withObjectProperty("request_counts")
					.put("total", lines(batch.get("input_file_id").stringValue()).length);
			}
			case "in_progress" -> run(batch, now);
			case "cancelling" -> batch.put("status", "cancelled").put("cancelled_at", now);
			default -> {
			}
		}
		return batch;
	}

	private void run(ObjectNode batch, long now) {
		StringBuilder output = new StringBuilder();
		StringBuilder errors = new StringBuilder();
		int completed = 0;
		int failed = 0;
		for (String line : lines(batch.get("input_file_id").stringValue())) {
			ObjectNode result = result(line);
			if (result.get("error").isNull()) {
				output.append(Nodes.string(result)).append('\n');
				completed++;
			}
			else {
				errors.append(Nodes.string(result)).append('\n');
				failed++;
			}
		}
		String id = batch.get("id").stringValue();
		batch.put("status", "completed").put("finalizing_at", now).put("completed_at", now);
		batch.put("output_file_id",
				store("batch_output", id + "_output.jsonl", output.toString().getBytes(StandardCharsets.UTF_8))
					.get("id")
					.stringValue());
		if (failed > 0) {
			batch.put("error_file_id",
					store("batch_output", id + "_error.jsonl", errors.toString().getBytes(StandardCharsets.UTF_8))
						.get("id")
						.stringValue());
		}
		batch.withObjectProperty("request_counts")
			.put("total", completed + failed)
			.put("completed", completed)
			.put("failed", failed);
	}

	private ObjectNode result(String line) {
		ObjectNode result = Nodes.object();
		try {
			ObjectNode request = Nodes.parseObject(line.getBytes(StandardCharsets.UTF_8));
			result.put("custom_id", Nodes.text(request, "custom_id"));
			JsonNode body = request.path("body");
			String deployment = Nodes.text(body, "model");
			if (!body.isObject() || deployment == null || !this.context.hosts(deployment)) {
				throw new Rejection(AzureErrors.deploymentNotFound());
			}
			ObjectNode response = result.putObject("response");
			response.set("body", this.inference.chatCompletion((ObjectNode) body, deployment));
			response.put("request_id", Ids.uuid()).put("status_code", 200);
			result.putNull("error");
		}
		catch (Rejection rejection) {
			result.putNull("response");
			Answer answer = rejection.answer();
			JsonNode error = (answer instanceof Answer.Complete complete)
					? Nodes.parseObject(complete.body()).path("error") : Nodes.object();
			result.putObject("error")
				.put("code", error.path("code").stringValue("BadRequest"))
				.put("message", error.path("message").stringValue("The request could not be processed."));
		}
		return result;
	}

	private Answer cancelBatch(Call call) {
		String id = call.variable("batch");
		ObjectNode batch = this.state.batches.get(id);
		if (batch == null) {
			return AzureErrors.notFound("batch", id);
		}
		String status = batch.get("status").stringValue();
		if (!status.equals("validating") && !status.equals("in_progress")) {
			return AzureErrors.error(409, "409", "Cannot cancel a batch with status '" + status + "'.");
		}
		ObjectNode cancelling = this.state.batches.update(id,
				(current) -> current.put("status", "cancelling").put("cancelling_at", this.context.now()));
		return (cancelling != null) ? Answer.json(200, cancelling) : AzureErrors.notFound("batch", id);
	}

	private String[] lines(String fileId) {
		byte[] content = this.state.fileContents.getOrDefault(fileId, new byte[0]);
		return new String(content, StandardCharsets.UTF_8).lines()
			.filter((line) -> !line.isBlank())
			.toArray(String[]::new);
	}

}
