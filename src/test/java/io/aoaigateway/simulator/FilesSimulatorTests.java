package io.aoaigateway.simulator;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.aoaigateway.simulator.SimulatorFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files, uploads, vector store file batches and batches on two simulated resources: both
 * path forms answer, and an object of one resource is unknown to the other.
 */
class FilesSimulatorTests {

	private static final String V = "?api-version=2024-10-21";

	private static AzureOpenAiSimulator east;

	private static AzureOpenAiSimulator west;

	private static SimulatorFixtures.Client eastClient;

	private static SimulatorFixtures.Client westClient;

	@BeforeAll
	static void start() {
		east = AzureOpenAiSimulator.start(SimulatorFixtures.settings());
		west = AzureOpenAiSimulator.start(
				SimulatorSettings.defaults("sim-west", SimulatorFixtures.KEY, new LinkedHashSet<>(List.of("gpt-4o"))));
		eastClient = SimulatorFixtures.client(east);
		westClient = SimulatorFixtures.client(west);
	}

	@AfterAll
	static void stop() {
		east.close();
		west.close();
	}

	@AfterEach
	void reset() {
		east.reset();
		west.reset();
	}

	@Test
	void fileWhenUploadedOnV1WithoutApiVersionThenServedOnBothPathForms() throws Exception {
		byte[] content = "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8);

		HttpResponse<String> uploaded = eastClient.postMultipart("/openai/v1/files",
				SimulatorFixtures.multipart("bnd", Map.of("purpose", "batch"), "in.jsonl", content), "bnd");
		String id = id(json(uploaded));
		HttpResponse<String> viaV1 = eastClient.get("/openai/v1/files/" + id);
		HttpResponse<String> viaDated = eastClient.get("/openai/files/" + id + V);

		assertThat(uploaded.statusCode()).isEqualTo(201);
		assertThat(uploaded.headers().firstValue("location")).hasValue(east.baseUrl() + "/openai/v1/files/" + id);
		assertThat(viaV1.statusCode()).isEqualTo(200);
		assertThat(json(viaV1)).isEqualTo(json(uploaded));
		assertThat(json(viaDated)).isEqualTo(json(uploaded));
		assertThat(eastClient.get("/openai/v1/files/" + id + "/content").body()).isEqualTo("{\"a\":1}\n");
		assertThat(ids(eastClient.getJson("/openai/v1/files?purpose=batch"))).containsExactly(id);
		assertThat(json(eastClient.delete("/openai/v1/files/" + id)).get("deleted").booleanValue()).isTrue();
		assertThat(eastClient.get("/openai/files/" + id + V).statusCode()).isEqualTo(404);
	}

	@Test
	void fileWhenAskedOfAnotherResourceThen404() throws Exception {
		String file = uploadFile(eastClient, "assistants", "doc.txt", "text");

		HttpResponse<String> get = westClient.get("/openai/v1/files/" + file);
		HttpResponse<String> content = westClient.get("/openai/files/" + file + "/content" + V);
		HttpResponse<String> delete = westClient.delete("/openai/v1/files/" + file);

		assertThat(get.statusCode()).isEqualTo(404);
		assertThat(message(get)).isEqualTo("No file found with id '" + file + "'.");
		assertThat(content.statusCode()).isEqualTo(404);
		assertThat(delete.statusCode()).isEqualTo(404);
		assertThat(eastClient.get("/openai/v1/files/" + file).statusCode()).isEqualTo(200);
	}

	@Test
	void uploadWhenPartsCompletedThenOneFileJoinsThemInTheGivenOrder() throws Exception {
		JsonNode upload = eastClient.postJson("/openai/v1/uploads",
				createUpload("notes.txt", "assistants", 11, "text/plain"));
		String uploadId = id(upload);
		JsonNode first = json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "hello"));
		JsonNode second = json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", " world"));

		HttpResponse<String> completed = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete",
				"{\"part_ids\":[\"" + id(second) + "\",\"" + id(first) + "\"],\"md5\":\"" + md5(" worldhello") + "\"}");

		assertThat(uploadId).matches("upload_[A-Za-z0-9]{24}");
		assertThat(upload.get("object").stringValue()).isEqualTo("upload");
		assertThat(upload.get("status").stringValue()).isEqualTo("pending");
		assertThat(upload.get("bytes").longValue()).isEqualTo(11);
		assertThat(upload.get("expires_at").longValue()).isEqualTo(upload.get("created_at").longValue() + 3600);
		assertThat(upload.get("file").isNull()).isTrue();
		assertThat(id(first)).matches("part_[A-Za-z0-9]{24}");
		assertThat(first.get("object").stringValue()).isEqualTo("upload.part");
		assertThat(first.get("upload_id").stringValue()).isEqualTo(uploadId);
		assertThat(completed.statusCode()).isEqualTo(200);
		JsonNode done = json(completed);
		assertThat(done.get("status").stringValue()).isEqualTo("completed");
		JsonNode file = done.get("file");
		assertThat(id(file)).matches("file-[A-Za-z0-9]{24}");
		assertThat(file.get("filename").stringValue()).isEqualTo("notes.txt");
		assertThat(file.get("purpose").stringValue()).isEqualTo("assistants");
		assertThat(file.get("bytes").longValue()).isEqualTo(11);
		assertThat(eastClient.get("/openai/files/" + id(file) + "/content" + V).body()).isEqualTo(" worldhello");
		assertThat(eastClient.getJson("/openai/v1/files/" + id(file))).isEqualTo(file);
		assertThat(westClient.get("/openai/v1/files/" + id(file)).statusCode()).isEqualTo(404);
	}

	@Test
	void uploadWhenCalledOnTheDatedPathThenCompletesToo() throws Exception {
		String uploadId = id(
				eastClient.postJson("/openai/uploads" + V, createUpload("in.jsonl", "batch", 3, "application/jsonl")));
		String part = id(json(addPart(eastClient, "/openai/uploads/" + uploadId + "/parts" + V, "abc")));

		HttpResponse<String> completed = eastClient.post("/openai/uploads/" + uploadId + "/complete" + V,
				"{\"part_ids\":[\"" + part + "\"]}");

		assertThat(completed.statusCode()).isEqualTo(200);
		String file = json(completed).at("/file/id").stringValue();
		assertThat(eastClient.get("/openai/v1/files/" + file + "/content").body()).isEqualTo("abc");
	}

	@Test
	void uploadWhenCancelledThenTakesNoPartsAndCannotComplete() throws Exception {
		String uploadId = pendingUpload(1);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));

		HttpResponse<String> cancelled = eastClient.post("/openai/v1/uploads/" + uploadId + "/cancel", "");
		HttpResponse<String> partAfter = addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "y");
		HttpResponse<String> completeAfter = complete(uploadId, part);
		HttpResponse<String> cancelAgain = eastClient.post("/openai/uploads/" + uploadId + "/cancel" + V, "");

		assertThat(cancelled.statusCode()).isEqualTo(200);
		assertThat(json(cancelled).get("status").stringValue()).isEqualTo("cancelled");
		assertThat(json(cancelled).get("file").isNull()).isTrue();
		assertThat(partAfter.statusCode()).isEqualTo(400);
		assertThat(message(partAfter)).isEqualTo("Upload '" + uploadId + "' is cancelled, not pending.");
		assertThat(completeAfter.statusCode()).isEqualTo(400);
		assertThat(cancelAgain.statusCode()).isEqualTo(400);
		assertThat(ids(eastClient.getJson("/openai/v1/files"))).isEmpty();
	}

	@Test
	void uploadWhenCompletedTwiceThenSecond400AndOneFile() throws Exception {
		String uploadId = pendingUpload(1);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));
		String complete = "{\"part_ids\":[\"" + part + "\"]}";

		HttpResponse<String> first = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete", complete);
		HttpResponse<String> second = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete", complete);

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(second.statusCode()).isEqualTo(400);
		assertThat(message(second)).isEqualTo("Upload '" + uploadId + "' is completed, not pending.");
		assertThat(ids(eastClient.getJson("/openai/v1/files"))).hasSize(1);
	}

	@Test
	void uploadWhenIdUnknownOrOnAnotherResourceThen404() throws Exception {
		String uploadId = pendingUpload(1);

		HttpResponse<String> part = addPart(westClient, "/openai/v1/uploads/" + uploadId + "/parts", "x");
		HttpResponse<String> complete = westClient.post("/openai/v1/uploads/" + uploadId + "/complete",
				"{\"part_ids\":[]}");
		HttpResponse<String> cancel = westClient.post("/openai/uploads/" + uploadId + "/cancel" + V, "");
		HttpResponse<String> missing = eastClient.post("/openai/v1/uploads/upload_missing/cancel", "");

		assertThat(part.statusCode()).isEqualTo(404);
		assertThat(message(part)).isEqualTo("No upload found with id '" + uploadId + "'.");
		assertThat(complete.statusCode()).isEqualTo(404);
		assertThat(cancel.statusCode()).isEqualTo(404);
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(message(missing)).isEqualTo("No upload found with id 'upload_missing'.");
		assertThat(json(eastClient.post("/openai/v1/uploads/" + uploadId + "/cancel", "")).get("status").stringValue())
			.isEqualTo("cancelled");
	}

	@Test
	void uploadWhenSimulatorResetThenItAndItsPartsAreForgotten() throws Exception {
		String uploadId = pendingUpload(1);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));

		east.reset();
		HttpResponse<String> cancel = eastClient.post("/openai/v1/uploads/" + uploadId + "/cancel", "");
		String fresh = pendingUpload(1);
		HttpResponse<String> complete = complete(fresh, part);

		assertThat(cancel.statusCode()).isEqualTo(404);
		assertThat(message(cancel)).isEqualTo("No upload found with id '" + uploadId + "'.");
		assertThat(complete.statusCode()).isEqualTo(404);
		assertThat(message(complete)).isEqualTo("No part found with id '" + part + "'.");
	}

	@Test
	void uploadWhenPartIdUnknownThen404AndUploadStaysPending() throws Exception {
		String uploadId = pendingUpload(1);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));

		HttpResponse<String> unknown = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete",
				"{\"part_ids\":[\"" + part + "\",\"part_missing\"]}");
		HttpResponse<String> retried = complete(uploadId, part);

		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(message(unknown)).isEqualTo("No part found with id 'part_missing'.");
		assertThat(retried.statusCode()).isEqualTo(200);
		assertThat(json(retried).get("status").stringValue()).isEqualTo("completed");
	}

	@Test
	void uploadWhenPartBelongsToAnotherUploadThen400() throws Exception {
		String uploadId = pendingUpload(1);
		String otherId = id(
				eastClient.postJson("/openai/v1/uploads", createUpload("b.txt", "assistants", 1, "text/plain")));
		String otherPart = id(json(addPart(eastClient, "/openai/v1/uploads/" + otherId + "/parts", "y")));

		HttpResponse<String> response = complete(uploadId, otherPart);

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(message(response))
			.isEqualTo("Part '" + otherPart + "' does not belong to upload '" + uploadId + "'.");
		assertThat(ids(eastClient.getJson("/openai/v1/files"))).isEmpty();
	}

	@Test
	void uploadWhenPartOfAnotherResourceThen404() throws Exception {
		String eastUpload = pendingUpload(1);
		String westUpload = id(
				westClient.postJson("/openai/v1/uploads", createUpload("a.txt", "assistants", 1, "text/plain")));
		String westPart = id(json(addPart(westClient, "/openai/v1/uploads/" + westUpload + "/parts", "x")));

		HttpResponse<String> response = complete(eastUpload, westPart);

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(message(response)).isEqualTo("No part found with id '" + westPart + "'.");
	}

	@Test
	void uploadWhenPartListedTwiceThen400() throws Exception {
		String uploadId = pendingUpload(2);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));

		HttpResponse<String> response = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete",
				"{\"part_ids\":[\"" + part + "\",\"" + part + "\"]}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(message(response)).isEqualTo("Part '" + part + "' is listed more than once in 'part_ids'.");
	}

	@Test
	void uploadWhenPartsHoldOtherThanDeclaredBytesThen400AndNoFile() throws Exception {
		String uploadId = pendingUpload(5);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "four")));

		HttpResponse<String> response = complete(uploadId, part);

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(message(response)).isEqualTo("The parts hold 4 bytes but the upload declared 5 in 'bytes'.");
		assertThat(ids(eastClient.getJson("/openai/v1/files"))).isEmpty();
	}

	@Test
	void uploadWhenMd5DiffersThen400() throws Exception {
		String uploadId = pendingUpload(1);
		String part = id(json(addPart(eastClient, "/openai/v1/uploads/" + uploadId + "/parts", "x")));

		HttpResponse<String> response = eastClient.post("/openai/v1/uploads/" + uploadId + "/complete",
				"{\"part_ids\":[\"" + part + "\"],\"md5\":\"" + md5("y") + "\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(message(response))
			.isEqualTo("The md5 checksum '" + md5("y") + "' does not match the uploaded bytes.");
	}

	@Test
	void uploadWhenCreateLacksAFieldOrNamesAnUnknownPurposeThen400() throws Exception {
		HttpResponse<String> noBytes = eastClient.post("/openai/v1/uploads",
				"{\"filename\":\"a.txt\",\"purpose\":\"assistants\",\"mime_type\":\"text/plain\"}");
		HttpResponse<String> negative = eastClient.post("/openai/v1/uploads",
				createUpload("a.txt", "assistants", -1, "text/plain"));
		HttpResponse<String> noMime = eastClient.post("/openai/v1/uploads",
				"{\"filename\":\"a.txt\",\"purpose\":\"assistants\",\"bytes\":1}");
		HttpResponse<String> purpose = eastClient.post("/openai/v1/uploads",
				createUpload("a.txt", "nonsense", 1, "text/plain"));

		assertThat(noBytes.statusCode()).isEqualTo(400);
		assertThat(message(noBytes)).isEqualTo("'bytes' is a required property.");
		assertThat(negative.statusCode()).isEqualTo(400);
		assertThat(noMime.statusCode()).isEqualTo(400);
		assertThat(message(noMime)).isEqualTo("'mime_type' is a required property.");
		assertThat(purpose.statusCode()).isEqualTo(400);
		assertThat(message(purpose)).startsWith("Invalid value for 'purpose'");
	}

	@Test
	void uploadPartWhenFormHasNoDataFieldThen400() throws Exception {
		String uploadId = pendingUpload(1);

		HttpResponse<String> response = eastClient.postMultipart("/openai/v1/uploads/" + uploadId + "/parts",
				SimulatorFixtures.multipart("bnd", Map.of(), "a.txt", new byte[] { 'x' }), "bnd");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(message(response)).isEqualTo("'data' is a required property.");
	}

	@Test
	void fileBatchWhenCreatedOnV1ThenServedOnBothPathForms() throws Exception {
		String first = uploadFile(eastClient, "assistants", "a.txt", "aaa");
		String second = uploadFile(eastClient, "assistants", "b.txt", "bbbb");
		String store = id(eastClient.postJson("/openai/v1/vector_stores", "{\"name\":\"docs\"}"));

		JsonNode batch = eastClient.postJson("/openai/v1/vector_stores/" + store + "/file_batches",
				"{\"file_ids\":[\"" + first + "\",\"" + second + "\"]}");
		String batchPath = "/vector_stores/" + store + "/file_batches/" + id(batch);
		JsonNode viaDated = eastClient.getJson("/openai" + batchPath + V);
		JsonNode files = eastClient.getJson("/openai/v1" + batchPath + "/files");
		JsonNode cancelled = eastClient.postJson("/openai" + batchPath + "/cancel" + V, "");

		assertThat(id(batch)).matches("vsfb_[A-Za-z0-9]{24}");
		assertThat(batch.get("object").stringValue()).isEqualTo("vector_store.file_batch");
		assertThat(batch.get("vector_store_id").stringValue()).isEqualTo(store);
		assertThat(batch.at("/file_counts/total").intValue()).isEqualTo(2);
		assertThat(viaDated).isEqualTo(batch);
		assertThat(ids(files)).containsExactlyInAnyOrder(first, second);
		assertThat(files.at("/data/0/object").stringValue()).isEqualTo("vector_store.file");
		assertThat(cancelled.get("status").stringValue()).isEqualTo("cancelled");
		assertThat(eastClient.getJson("/openai/v1/vector_stores/" + store).get("usage_bytes").intValue()).isEqualTo(7);
	}

	@Test
	void fileBatchWhenFilesGivenEachWithAChunkingStrategyThenEachKeepsItsOwn() throws Exception {
		String first = uploadFile(eastClient, "assistants", "a.txt", "aaa");
		String second = uploadFile(eastClient, "assistants", "b.txt", "bbb");
		String store = id(eastClient.postJson("/openai/v1/vector_stores", "{}"));

		JsonNode batch = eastClient.postJson("/openai/v1/vector_stores/" + store + "/file_batches",
				"{\"files\":[{\"file_id\":\"" + first + "\",\"chunking_strategy\":{\"type\":\"static\",\"static\":"
						+ "{\"max_chunk_size_tokens\":100,\"chunk_overlap_tokens\":10}}},{\"file_id\":\"" + second
						+ "\"}]}");
		JsonNode firstFile = eastClient.getJson("/openai/v1/vector_stores/" + store + "/files/" + first);
		JsonNode secondFile = eastClient.getJson("/openai/v1/vector_stores/" + store + "/files/" + second);

		assertThat(batch.at("/file_counts/completed").intValue()).isEqualTo(2);
		assertThat(firstFile.at("/chunking_strategy/static/max_chunk_size_tokens").intValue()).isEqualTo(100);
		assertThat(secondFile.at("/chunking_strategy/static/max_chunk_size_tokens").intValue()).isEqualTo(800);
	}

	@Test
	void fileBatchWhenBothFileIdsAndFilesOrNeitherThen400() throws Exception {
		String file = uploadFile(eastClient, "assistants", "a.txt", "aaa");
		String store = id(eastClient.postJson("/openai/v1/vector_stores", "{}"));
		String batches = "/openai/v1/vector_stores/" + store + "/file_batches";

		HttpResponse<String> both = eastClient.post(batches,
				"{\"file_ids\":[\"" + file + "\"],\"files\":[{\"file_id\":\"" + file + "\"}]}");
		HttpResponse<String> neither = eastClient.post(batches, "{}");

		assertThat(both.statusCode()).isEqualTo(400);
		assertThat(message(both)).isEqualTo("'file_ids' and 'files' are mutually exclusive.");
		assertThat(neither.statusCode()).isEqualTo(400);
		assertThat(ids(eastClient.getJson("/openai/v1/vector_stores/" + store + "/files"))).isEmpty();
	}

	@Test
	void fileBatchWhenAFileIsOnAnotherResourceThen404AndNothingAttached() throws Exception {
		String local = uploadFile(eastClient, "assistants", "a.txt", "aaa");
		String foreign = uploadFile(westClient, "assistants", "b.txt", "bbb");
		String store = id(eastClient.postJson("/openai/v1/vector_stores", "{}"));

		HttpResponse<String> response = eastClient.post("/openai/vector_stores/" + store + "/file_batches" + V,
				"{\"file_ids\":[\"" + local + "\",\"" + foreign + "\",\"file-missing\"]}");
		HttpResponse<String> single = eastClient.post("/openai/v1/vector_stores/" + store + "/files",
				"{\"file_id\":\"" + foreign + "\"}");

		assertThat(response.statusCode()).isEqualTo(404);
		JsonNode error = json(response).get("error");
		assertThat(error.get("message").stringValue())
			.isEqualTo("Files [" + foreign + ", file-missing] were not found");
		assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
		assertThat(single.statusCode()).isEqualTo(404);
		assertThat(message(single)).isEqualTo("Files [" + foreign + "] were not found");
		assertThat(ids(eastClient.getJson("/openai/v1/vector_stores/" + store + "/files"))).isEmpty();
	}

	@Test
	void fileBatchWhenAskedOfAnotherStoreOrResourceThen404() throws Exception {
		String file = uploadFile(eastClient, "assistants", "a.txt", "aaa");
		String store = id(eastClient.postJson("/openai/v1/vector_stores", "{}"));
		String otherStore = id(eastClient.postJson("/openai/v1/vector_stores", "{}"));
		String batch = id(eastClient.postJson("/openai/v1/vector_stores/" + store + "/file_batches",
				"{\"file_ids\":[\"" + file + "\"]}"));

		HttpResponse<String> wrongStore = eastClient
			.get("/openai/v1/vector_stores/" + otherStore + "/file_batches/" + batch);
		HttpResponse<String> otherResource = westClient
			.get("/openai/v1/vector_stores/" + store + "/file_batches/" + batch + "/files");
		HttpResponse<String> cancel = eastClient
			.post("/openai/v1/vector_stores/" + store + "/file_batches/vsfb_missing/cancel", "");

		assertThat(wrongStore.statusCode()).isEqualTo(404);
		assertThat(message(wrongStore)).isEqualTo("No file batch found with id '" + batch + "'.");
		assertThat(otherResource.statusCode()).isEqualTo(404);
		assertThat(message(otherResource)).isEqualTo("No vector store found with id '" + store + "'.");
		assertThat(cancel.statusCode()).isEqualTo(404);
		assertThat(message(cancel)).isEqualTo("No file batch found with id 'vsfb_missing'.");
	}

	@Test
	void batchWhenCreatedOnV1ThenServedOnBothPathForms() throws Exception {
		String input = uploadFile(eastClient, "batch", "in.jsonl",
				"{\"custom_id\":\"t1\",\"method\":\"POST\",\"url\":\"/chat/completions\",\"body\":{\"model\":\"gpt-4o\","
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n");

		HttpResponse<String> created = eastClient.post("/openai/v1/batches", "{\"input_file_id\":\"" + input
				+ "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
		String batch = id(json(created));
		JsonNode listed = eastClient.getJson("/openai/batches" + V);
		JsonNode inProgress = eastClient.getJson("/openai/v1/batches/" + batch);
		HttpResponse<String> cancelled = eastClient.post("/openai/batches/" + batch + "/cancel" + V, "");

		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(batch).startsWith("batch_");
		assertThat(ids(listed)).containsExactly(batch);
		assertThat(inProgress.get("status").stringValue()).isEqualTo("in_progress");
		assertThat(json(cancelled).get("status").stringValue()).isEqualTo("cancelling");
		assertThat(westClient.get("/openai/v1/batches/" + batch).statusCode()).isEqualTo(404);
	}

	@Test
	void batchWhenInputFileIsOnAnotherResourceThen404() throws Exception {
		String foreign = uploadFile(westClient, "batch", "in.jsonl", "{}\n");

		HttpResponse<String> v1 = eastClient.post("/openai/v1/batches", "{\"input_file_id\":\"" + foreign
				+ "\",\"endpoint\":\"/chat/completions\",\"completion_window\":\"24h\"}");
		HttpResponse<String> dated = eastClient.post("/openai/batches" + V, "{\"input_file_id\":\"" + foreign
				+ "\",\"endpoint\":\"/chat/completions\",\"completion_window\":\"24h\"}");

		assertThat(v1.statusCode()).isEqualTo(404);
		assertThat(message(v1)).isEqualTo("No file found with id '" + foreign + "'.");
		assertThat(dated.statusCode()).isEqualTo(404);
		assertThat(ids(eastClient.getJson("/openai/v1/batches"))).isEmpty();
	}

	private static String createUpload(String filename, String purpose, long bytes, String mimeType) {
		return "{\"filename\":\"" + filename + "\",\"purpose\":\"" + purpose + "\",\"bytes\":" + bytes
				+ ",\"mime_type\":\"" + mimeType + "\"}";
	}

	// A multipart body with the one field the add-part call takes, "data".
	private static HttpResponse<String> addPart(SimulatorFixtures.Client client, String path, String data)
			throws Exception {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(("--prt\r\nContent-Disposition: form-data; name=\"data\"; filename=\"blob\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.UTF_8));
		body.writeBytes(data.getBytes(StandardCharsets.UTF_8));
		body.writeBytes("\r\n--prt--\r\n".getBytes(StandardCharsets.UTF_8));
		return client.postMultipart(path, body.toByteArray(), "prt");
	}

	private static String uploadFile(SimulatorFixtures.Client client, String purpose, String filename, String content)
			throws Exception {
		return id(json(client.postMultipart("/openai/v1/files", SimulatorFixtures.multipart("bnd",
				Map.of("purpose", purpose), filename, content.getBytes(StandardCharsets.UTF_8)), "bnd")));
	}

	private static String md5(String text) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
	}

	private static String message(HttpResponse<String> response) {
		return json(response).at("/error/message").stringValue();
	}

	private static String id(JsonNode object) {
		return object.get("id").stringValue();
	}

	private static List<String> ids(JsonNode list) {
		return StreamSupport.stream(list.get("data").spliterator(), false).map(FilesSimulatorTests::id).toList();
	}

	// A pending upload of a.txt on the east resource, declaring the given size.
	private static String pendingUpload(long bytes) throws Exception {
		return id(eastClient.postJson("/openai/v1/uploads", createUpload("a.txt", "assistants", bytes, "text/plain")));
	}

	// Completes an upload on the east resource from one part.
	private static HttpResponse<String> complete(String uploadId, String part) throws Exception {
		return eastClient.post("/openai/v1/uploads/" + uploadId + "/complete", "{\"part_ids\":[\"" + part + "\"]}");
	}

}
