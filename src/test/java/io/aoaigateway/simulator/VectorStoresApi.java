package io.aoaigateway.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Vector stores, their files and their file batches; files are "indexed" at once.
 */
final class VectorStoresApi {

	private static final long DAY = 86_400;

	private final ResourceContext context;

	private final SimulatorState state;

	VectorStoresApi(ResourceContext context, SimulatorState state) {
		this.context = context;
		this.state = state;
	}

	// Each route answers on the v1 path, without an api-version, and on the dated one.
	void register(Routes routes) {
		for (String base : List.of("/openai/v1/vector_stores", "/openai/vector_stores")) {
			String store = base + "/{store}";
			routes.get(base, this::list)
				.post(base, (call) -> Answer.json(200, create(call.jsonOrEmpty())))
				.get(store, this::get)
				.post(store, this::modify)
				.delete(store, this::delete)
				.get(store + "/files", this::listFiles)
				.post(store + "/files", this::addFile)
				.get(store + "/files/{file}", this::getFile)
				.delete(store + "/files/{file}", this::removeFile)
				.post(store + "/file_batches", this::createBatch)
				.get(store + "/file_batches/{batch}", this::getBatch)
				.post(store + "/file_batches/{batch}/cancel", this::cancelBatch)
				.get(store + "/file_batches/{batch}/files", this::listBatchFiles);
		}
	}

	/**
	 * Creates a vector store, also on behalf of the {@code vector_stores} helper in
	 * assistants and threads.
	 * @param body the create request
	 * @return the vector store
	 * @throws Rejection with a 404 when a file in {@code file_ids} is unknown
	 */
	ObjectNode create(ObjectNode body) {
		List<String> fileIds = Nodes.texts(body, "file_ids");
		fileIds.forEach(this.state::requireFile);
		long now = this.context.now();
		ObjectNode store = Nodes.object()
			.put("id", Ids.alphanumeric("vs_", 24))
			.put("object", "vector_store")
			.put("created_at", now)
			.put("name", Nodes.text(body, "name"));
		store.put("status", "completed").put("last_active_at", now);
		store.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		expiry(store, body, now);
		this.state.vectorStores.put(store);
		String id = store.get("id").stringValue();
		fileIds.forEach((fileId) -> attach(id, fileId, body.path("chunking_strategy")));
		return render(store);
	}

	private Answer list(Call call) {
		return Pages.page(call, this.state.vectorStores.list((store) -> true).stream().map(this::render).toList());
	}

	private Answer get(Call call) {
		return Answer.json(200, render(requireStore(call)));
	}

	private Answer modify(Call call) {
		String id = requireStore(call).get("id").stringValue();
		ObjectNode body = call.json();
		ObjectNode store = this.state.vectorStores.update(id, (current) -> {
			if (body.has("name")) {
				current.set("name", body.get("name").deepCopy());
			}
			if (body.has("metadata")) {
				current.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
			}
			expiry(current, body, this.context.now());
			return current;
		});
		return (store != null) ? Answer.json(200, render(store)) : AzureErrors.notFound("vector store", id);
	}

	private Answer delete(Call call) {
		String id = requireStore(call).get("id").stringValue();
		this.state.vectorStores.remove(id);
		this.state.vectorStoreFiles.removeIf((file) -> id.equals(file.path("vector_store_id").stringValue("")));
		this.state.fileBatches.removeIf((batch) -> id.equals(batch.path("vector_store_id").stringValue("")));
		return Answer.json(200, deleted(id, "vector_store.deleted"));
	}

	private Answer listFiles(Call call) {
		String id = requireStore(call).get("id").stringValue();
		String filter = call.query("filter");
		return Pages.page(call,
				this.state.vectorStoreFiles.list((file) -> id.equals(file.path("vector_store_id").stringValue(""))
						&& (filter == null || filter.equals(file.path("status").stringValue("")))));
	}

	private Answer addFile(Call call) {
		String id = requireStore(call).get("id").stringValue();
		ObjectNode body = call.json();
		String fileId = Nodes.text(body, "file_id");
		if (fileId == null) {
			throw new Rejection(AzureErrors.badRequest("'file_id' is a required property."));
		}
		requireFiles(List.of(fileId));
		return Answer.json(200, attach(id, fileId, body.path("chunking_strategy")));
	}

	private Answer getFile(Call call) {
		String id = requireStore(call).get("id").stringValue();
		String fileId = call.variable("file");
		ObjectNode file = this.state.vectorStoreFiles.get(key(id, fileId));
		return (file != null) ? Answer.json(200, file) : AzureErrors.notFound("file", fileId);
	}

	private Answer removeFile(Call call) {
		String id = requireStore(call).get("id").stringValue();
		String fileId = call.variable("file");
		if (this.state.vectorStoreFiles.remove(key(id, fileId)) == null) {
			return AzureErrors.notFound("file", fileId);
		}
		return Answer.json(200, deleted(fileId, "vector_store.file.deleted"));
	}

	// The batch names its files in file_ids (one chunking strategy for all) or in files
	// (each with its own); every file must be on this resource, else the whole batch is
	// refused with a 404 and nothing is attached.
	private Answer createBatch(Call call) {
		String id = requireStore(call).get("id").stringValue();
		ObjectNode body = call.json();
		Map<String, JsonNode> members = batchMembers(body);
		requireFiles(List.copyOf(members.keySet()));
		members.forEach((fileId, chunking) -> attach(id, fileId, chunking));
		ObjectNode batch = Nodes.object()
			.put("id", Ids.alphanumeric("vsfb_", 24))
			.put("object", "vector_store.file_batch")
			.put("created_at", this.context.now())
			.put("vector_store_id", id)
			.put("status", "completed");
		batch.set("file_counts", counts(members.size(), members.size()));
		this.state.fileBatches.put(batch);
		this.state.fileBatchFiles.put(batch.get("id").stringValue(), List.copyOf(members.keySet()));
		return Answer.json(200, batch);
	}

	private static Map<String, JsonNode> batchMembers(ObjectNode body) {
		JsonNode files = body.path("files");
		if (body.has("file_ids") && body.has("files")) {
			throw new Rejection(AzureErrors.badRequest("'file_ids' and 'files' are mutually exclusive."));
		}
		Map<String, JsonNode> members = new LinkedHashMap<>();
		if (files.isArray()) {
			for (JsonNode file : files) {
				String fileId = Nodes.text(file, "file_id");
				if (fileId == null) {
					throw new Rejection(AzureErrors.badRequest("Each entry of 'files' needs a 'file_id'."));
				}
				members.put(fileId, file.path("chunking_strategy"));
			}
		}
		else {
			Nodes.texts(body, "file_ids").forEach((fileId) -> members.put(fileId, body.path("chunking_strategy")));
		}
		if (members.isEmpty()) {
			throw new Rejection(
					AzureErrors.badRequest("One of 'file_ids' or 'files' is required and must not be empty."));
		}
		return members;
	}

	/**
	 * Refuses file ids this resource does not hold, as Azure does when a file is added to
	 * a vector store: a 404 naming every missing file, e.g. "Files [file-x] were not
	 * found", with {@code type} {@code invalid_request_error} and no code.
	 * @param fileIds the ids
	 * @throws Rejection with that 404 when any file is unknown
	 */
	private void requireFiles(List<String> fileIds) {
		List<String> missing = fileIds.stream().filter((fileId) -> !this.state.files.contains(fileId)).toList();
		if (!missing.isEmpty()) {
			ObjectNode body = Nodes.object();
			body.putObject("error")
				.put("message", "Files [" + String.join(", ", missing) + "] were not found")
				.put("type", "invalid_request_error")
				.putNull("param")
				.putNull("code");
			throw new Rejection(Answer.json(404, body));
		}
	}

	private Answer getBatch(Call call) {
		return Answer.json(200, requireBatch(call));
	}

	private Answer cancelBatch(Call call) {
		String id = requireBatch(call).get("id").stringValue();
		ObjectNode batch = this.state.fileBatches.update(id, (current) -> current.put("status", "cancelled"));
		return (batch != null) ? Answer.json(200, batch) : AzureErrors.notFound("file batch", id);
	}

	private Answer listBatchFiles(Call call) {
		ObjectNode batch = requireBatch(call);
		String storeId = batch.get("vector_store_id").stringValue();
		List<String> members = this.state.fileBatchFiles.getOrDefault(batch.get("id").stringValue(), List.of());
		String filter = call.query("filter");
		return Pages.page(call,
				this.state.vectorStoreFiles.list((file) -> storeId.equals(file.path("vector_store_id").stringValue(""))
						&& members.contains(file.path("id").stringValue(""))
						&& (filter == null || filter.equals(file.path("status").stringValue("")))));
	}

	private ObjectNode attach(String storeId, String fileId, JsonNode chunking) {
		ObjectNode uploaded = this.state.files.get(fileId);
		ObjectNode file = Nodes.object()
			.put("id", fileId)
			.put("object", "vector_store.file")
			.put("usage_bytes", (uploaded != null) ? uploaded.path("bytes").asLong(0) : 0)
			.put("created_at", this.context.now())
			.put("vector_store_id", storeId)
			.put("status", "completed")
			.putNull("last_error");
		if (chunking.isObject() && "static".equals(Nodes.text(chunking, "type"))) {
			file.set("chunking_strategy", chunking.deepCopy());
		}
		else {
			file.putObject("chunking_strategy")
				.put("type", "static")
				.putObject("static")
				.put("max_chunk_size_tokens", 800)
				.put("chunk_overlap_tokens", 400);
		}
		this.state.vectorStoreFiles.put(key(storeId, fileId), file);
		return file;
	}

	private ObjectNode render(ObjectNode store) {
		String id = store.get("id").stringValue();
		List<ObjectNode> files = this.state.vectorStoreFiles
			.list((file) -> id.equals(file.path("vector_store_id").stringValue("")));
		long bytes = files.stream().mapToLong((file) -> file.path("usage_bytes").asLong(0)).sum();
		ObjectNode rendered = store.deepCopy().put("usage_bytes", bytes);
		rendered.set("file_counts", counts(files.size(), files.size()));
		return rendered;
	}

	private void expiry(ObjectNode store, ObjectNode body, long now) {
		JsonNode expiresAfter = body.path("expires_after");
		if (expiresAfter.isObject()) {
			store.set("expires_after", expiresAfter.deepCopy());
			store.put("expires_at", now + DAY * expiresAfter.path("days").asLong(0));
		}
		else if (!store.has("expires_after")) {
			store.putNull("expires_after").putNull("expires_at");
		}
	}

	private ObjectNode requireStore(Call call) {
		String id = call.variable("store");
		ObjectNode store = this.state.vectorStores.get(id);
		if (store == null) {
			throw new Rejection(AzureErrors.notFound("vector store", id));
		}
		return store;
	}

	private ObjectNode requireBatch(Call call) {
		String storeId = requireStore(call).get("id").stringValue();
		String id = call.variable("batch");
		ObjectNode batch = this.state.fileBatches.get(id);
		if (batch == null || !storeId.equals(batch.path("vector_store_id").stringValue(""))) {
			throw new Rejection(AzureErrors.notFound("file batch", id));
		}
		return batch;
	}

	private static ObjectNode counts(int total, int completed) {
		return Nodes.object()
			.put("in_progress", total - completed)
			.put("completed", completed)
			.put("failed", 0)
			.put("cancelled", 0)
			.put("total", total);
	}

	static ObjectNode deleted(String id, String object) {
		return Nodes.object().put("id", id).put("object", object).put("deleted", true);
	}

	private static String key(String storeId, String fileId) {
		return storeId + "/" + fileId;
	}

}
