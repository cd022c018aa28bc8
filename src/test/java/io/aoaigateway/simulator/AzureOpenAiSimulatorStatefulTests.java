package io.aoaigateway.simulator;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.aoaigateway.simulator.SimulatorFixtures.data;
import static io.aoaigateway.simulator.SimulatorFixtures.eventNames;
import static io.aoaigateway.simulator.SimulatorFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated resource's stored objects: Assistants, vector stores, files, batches and
 * responses.
 */
class AzureOpenAiSimulatorStatefulTests {

	private static final String V = "2024-10-01-preview";

	private static AzureOpenAiSimulator simulator;

	private static SimulatorFixtures.Client client;

	@BeforeAll
	static void start() {
		simulator = AzureOpenAiSimulator.start(SimulatorFixtures.settings());
		client = SimulatorFixtures.client(simulator);
	}

	@AfterAll
	static void stop() {
		simulator.close();
	}

	@AfterEach
	void reset() {
		simulator.reset();
	}

	@Test
	void runWhenPolledThenCompletesWithUsageMessageAndStep() throws Exception {
		String assistant = id(client.postJson(path("/openai/assistants"),
				"{\"model\":\"gpt-4o\",\"name\":\"helper\",\"instructions\":\"Be brief.\"}"));
		String thread = id(client.postJson(path("/openai/threads"), "{}"));
		JsonNode message = client.postJson(path("/openai/threads/" + thread + "/messages"),
				"{\"role\":\"user\",\"content\":\"What is the weather?\"}");

		JsonNode created = client.postJson(path("/openai/threads/" + thread + "/runs"),
				"{\"assistant_id\":\"" + assistant + "\"}");
		JsonNode polled = client.getJson(path("/openai/threads/" + thread + "/runs/" + id(created)));
		JsonNode steps = client.getJson(path("/openai/threads/" + thread + "/runs/" + id(created) + "/steps"));
		JsonNode messages = client.getJson(path("/openai/threads/" + thread + "/messages"));

		assertThat(assistant).matches("asst_[A-Za-z0-9]{24}");
		assertThat(thread).matches("thread_[A-Za-z0-9]{24}");
		assertThat(id(message)).matches("msg_[A-Za-z0-9]{24}");
		assertThat(message.at("/content/0/text/value").stringValue()).isEqualTo("What is the weather?");
		assertThat(id(created)).matches("run_[A-Za-z0-9]{24}");
		assertThat(created.get("object").stringValue()).isEqualTo("thread.run");
		assertThat(created.get("status").stringValue()).isEqualTo("queued");
		assertThat(created.get("usage").isNull()).isTrue();
		assertThat(created.get("instructions").stringValue()).isEqualTo("Be brief.");
		assertThat(polled.get("status").stringValue()).isEqualTo("completed");
		assertThat(polled.at("/usage/completion_tokens").intValue()).isEqualTo(4);
		assertThat(polled.at("/usage/prompt_tokens").intValue()).isPositive();
		assertThat(polled.at("/usage/total_tokens").intValue())
			.isEqualTo(polled.at("/usage/prompt_tokens").intValue() + polled.at("/usage/completion_tokens").intValue());
		assertThat(steps.get("object").stringValue()).isEqualTo("list");
		assertThat(steps.get("data")).hasSize(1);
		JsonNode step = steps.at("/data/0");
		assertThat(id(step)).matches("step_[A-Za-z0-9]{24}");
		assertThat(step.get("type").stringValue()).isEqualTo("message_creation");
		assertThat(step.get("usage")).isEqualTo(polled.get("usage"));
		assertThat(messages.get("data")).hasSize(2);
		assertThat(messages.at("/data/0/role").stringValue()).isEqualTo("assistant");
		assertThat(messages.at("/data/0/run_id").stringValue()).isEqualTo(id(created));
		assertThat(messages.at("/data/0/id").stringValue())
			.isEqualTo(step.at("/step_details/message_creation/message_id").stringValue());
		assertThat(messages.at("/data/0/content/0/text/value").stringValue()).isEqualTo("This is a simulated");
		assertThat(client.getJson(path("/openai/threads/" + thread + "/runs/" + id(created) + "/steps/" + id(step))))
			.isEqualTo(step);
	}

	@Test
	void threadAndRunWhenStreamedThenAssistantsEventsInOrder() throws Exception {
		String assistant = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));

		HttpResponse<String> response = client.post(path("/openai/threads/runs"), "{\"assistant_id\":\"" + assistant
				+ "\",\"stream\":true,\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}");

		assertThat(response.headers().firstValue("content-type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/event-stream"));
		assertThat(eventNames(response.body())).containsExactly("thread.created", "thread.run.created",
				"thread.run.queued", "thread.run.in_progress", "thread.run.step.created", "thread.message.created",
				"thread.message.delta", "thread.message.delta", "thread.message.delta", "thread.message.delta",
				"thread.message.completed", "thread.run.step.completed", "thread.run.completed", "done");
		List<String> data = data(response.body());
		assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
		String thread = id(json(data.get(0)));
		JsonNode created = json(data.get(1));
		assertThat(created.get("thread_id").stringValue()).isEqualTo(thread);
		assertThat(created.get("usage").isNull()).isTrue();
		assertThat(json(data.get(6)).at("/delta/content/0/text/value").stringValue()).isEqualTo("This");
		JsonNode completed = json(data.get(12));
		assertThat(completed.get("status").stringValue()).isEqualTo("completed");
		assertThat(completed.at("/usage/completion_tokens").intValue()).isEqualTo(4);
		assertThat(
				client.getJson(path("/openai/threads/" + thread + "/runs/" + id(created))).get("status").stringValue())
			.isEqualTo("completed");
	}

	@Test
	void runWhenAssistantHasFunctionToolThenRequiresActionUntilOutputsSubmitted() throws Exception {
		String assistant = id(client.postJson(path("/openai/assistants"),
				"{\"model\":\"gpt-4o\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}"));
		String thread = id(client.postJson(path("/openai/threads"),
				"{\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}"));
		String run = id(client.postJson(path("/openai/threads/" + thread + "/runs"),
				"{\"assistant_id\":\"" + assistant + "\"}"));
		String runPath = "/openai/threads/" + thread + "/runs/" + run;

		JsonNode waiting = client.getJson(path(runPath));
		String callId = waiting.at("/required_action/submit_tool_outputs/tool_calls/0/id").stringValue();
		HttpResponse<String> wrong = client.post(path(runPath + "/submit_tool_outputs"),
				"{\"tool_outputs\":[{\"tool_call_id\":\"call_nope\",\"output\":\"sunny\"}]}");
		JsonNode submitted = client.postJson(path(runPath + "/submit_tool_outputs"),
				"{\"tool_outputs\":[{\"tool_call_id\":\"" + callId + "\",\"output\":\"sunny\"}]}");
		JsonNode completed = client.getJson(path(runPath));
		JsonNode steps = client.getJson(path(runPath + "/steps") + "&order=asc");

		assertThat(waiting.get("status").stringValue()).isEqualTo("requires_action");
		assertThat(waiting.at("/required_action/submit_tool_outputs/tool_calls/0/function/name").stringValue())
			.isEqualTo("get_weather");
		assertThat(waiting.get("usage").isNull()).isTrue();
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(submitted.get("status").stringValue()).isEqualTo("queued");
		assertThat(completed.get("status").stringValue()).isEqualTo("completed");
		assertThat(completed.get("usage").isObject()).isTrue();
		assertThat(steps.get("data")).hasSize(2);
		assertThat(steps.at("/data/0/type").stringValue()).isEqualTo("tool_calls");
		assertThat(steps.at("/data/0/step_details/tool_calls/0/function/output").stringValue()).isEqualTo("sunny");
		assertThat(steps.at("/data/1/type").stringValue()).isEqualTo("message_creation");
	}

	@Test
	void runWhenCancelledThenCancellingThenCancelled() throws Exception {
		String assistant = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));
		String thread = id(client.postJson(path("/openai/threads"), ""));
		String runPath = "/openai/threads/" + thread + "/runs/" + id(client
			.postJson(path("/openai/threads/" + thread + "/runs"), "{\"assistant_id\":\"" + assistant + "\"}"));

		JsonNode cancelling = client.postJson(path(runPath + "/cancel"), "");
		JsonNode cancelled = client.getJson(path(runPath));
		HttpResponse<String> again = client.post(path(runPath + "/cancel"), "");

		assertThat(cancelling.get("status").stringValue()).isEqualTo("cancelling");
		assertThat(cancelled.get("status").stringValue()).isEqualTo("cancelled");
		assertThat(again.statusCode()).isEqualTo(400);
	}

	@Test
	void requestWhenIdUnknownThenNotFoundLikeAzure() throws Exception {
		String thread = id(client.postJson(path("/openai/threads"), "{}"));

		HttpResponse<String> assistant = client.get(path("/openai/assistants/asst_missing"));
		HttpResponse<String> run = client.post(path("/openai/threads/" + thread + "/runs"),
				"{\"assistant_id\":\"asst_missing\"}");
		HttpResponse<String> message = client.get(path("/openai/threads/" + thread + "/messages/msg_missing"));
		HttpResponse<String> attachment = client.post(path("/openai/threads/" + thread + "/messages"),
				"{\"role\":\"user\",\"content\":\"x\",\"attachments\":[{\"file_id\":\"file-missing\"}]}");
		HttpResponse<String> store = client.post(path("/openai/assistants"), "{\"model\":\"gpt-4o\","
				+ "\"tool_resources\":{\"file_search\":{\"vector_store_ids\":[\"vs_missing\"]}}}");
		HttpResponse<String> threadRuns = client.get(path("/openai/threads/thread_missing/runs"));

		assertThat(assistant.statusCode()).isEqualTo(404);
		assertThat(json(assistant).at("/error/code").stringValue()).isEqualTo("404");
		assertThat(json(assistant).at("/error/message").stringValue())
			.isEqualTo("No assistant found with id 'asst_missing'.");
		assertThat(json(run).at("/error/message").stringValue())
			.isEqualTo("No assistant found with id 'asst_missing'.");
		assertThat(message.statusCode()).isEqualTo(404);
		assertThat(json(attachment).at("/error/message").stringValue())
			.isEqualTo("No file found with id 'file-missing'.");
		assertThat(json(store).at("/error/message").stringValue())
			.isEqualTo("No vector store found with id 'vs_missing'.");
		assertThat(json(threadRuns).at("/error/message").stringValue())
			.isEqualTo("No thread found with id 'thread_missing'.");
	}

	@Test
	void assistantsWhenListedThenPagedNewestFirst() throws Exception {
		String first = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));
		String second = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));
		String third = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));

		JsonNode page = client.getJson(path("/openai/assistants") + "&limit=2");
		JsonNode next = client.getJson(path("/openai/assistants") + "&limit=2&after=" + second);
		JsonNode ascending = client.getJson(path("/openai/assistants") + "&order=asc");

		assertThat(ids(page)).containsExactly(third, second);
		assertThat(page.get("first_id").stringValue()).isEqualTo(third);
		assertThat(page.get("last_id").stringValue()).isEqualTo(second);
		assertThat(page.get("has_more").booleanValue()).isTrue();
		assertThat(ids(next)).containsExactly(first);
		assertThat(next.get("has_more").booleanValue()).isFalse();
		assertThat(ids(ascending)).containsExactly(first, second, third);
	}

	@Test
	void assistantWhenModifiedAndDeletedThenChangesAndDisappears() throws Exception {
		String assistant = id(client.postJson(path("/openai/assistants"), "{\"model\":\"gpt-4o\"}"));

		JsonNode modified = client.postJson(path("/openai/assistants/" + assistant), "{\"name\":\"renamed\"}");
		JsonNode deleted = json(client.delete(path("/openai/assistants/" + assistant)));

		assertThat(modified.get("name").stringValue()).isEqualTo("renamed");
		assertThat(deleted.get("object").stringValue()).isEqualTo("assistant.deleted");
		assertThat(deleted.get("deleted").booleanValue()).isTrue();
		assertThat(client.get(path("/openai/assistants/" + assistant)).statusCode()).isEqualTo(404);
	}

	@Test
	void assistantsWhenCalledOnV1PathsThenSameObjectsAsClassicPaths() throws Exception {
		String assistant = id(client.postJson("/openai/v1/assistants", "{\"model\":\"gpt-4o\"}"));

		assertThat(client.get(path("/openai/assistants/" + assistant)).statusCode()).isEqualTo(200);
		assertThat(client.get("/openai/v1/assistants/" + assistant).statusCode()).isEqualTo(200);
	}

	@Test
	void fileWhenUploadedThen201WithLocationAndContentRoundTrips() throws Exception {
		byte[] content = "{\"hello\":\"file\"}\n".getBytes(StandardCharsets.UTF_8);

		HttpResponse<String> uploaded = client.postMultipart(path("/openai/files"),
				SimulatorFixtures.multipart("bnd", Map.of("purpose", "assistants"), "notes.jsonl", content), "bnd");

		assertThat(uploaded.statusCode()).isEqualTo(201);
		JsonNode file = json(uploaded);
		assertThat(id(file)).matches("file-[A-Za-z0-9]{24}");
		assertThat(file.get("object").stringValue()).isEqualTo("file");
		assertThat(file.get("purpose").stringValue()).isEqualTo("assistants");
		assertThat(file.get("filename").stringValue()).isEqualTo("notes.jsonl");
		assertThat(file.get("bytes").intValue()).isEqualTo(content.length);
		assertThat(file.get("status").stringValue()).isEqualTo("processed");
		String location = uploaded.headers().firstValue("location").orElseThrow();
		assertThat(location).isEqualTo(simulator.baseUrl() + "/openai/files/" + id(file) + "?api-version=" + V);
		assertThat(client.getJson(location)).isEqualTo(file);
		assertThat(client.get(path("/openai/files/" + id(file) + "/content")).body())
			.isEqualTo("{\"hello\":\"file\"}\n");
		assertThat(ids(client.getJson(path("/openai/files")))).containsExactly(id(file));
		assertThat(json(client.delete(location)).get("deleted").booleanValue()).isTrue();
		assertThat(client.get(location).statusCode()).isEqualTo(404);
	}

	@Test
	void vectorStoreWhenFilesAttachedThenCountsThemAndListsThem() throws Exception {
		String file = upload("assistants", "doc.txt", "some text");
		String other = upload("assistants", "more.txt", "more text");

		JsonNode store = client.postJson(path("/openai/vector_stores"),
				"{\"name\":\"docs\",\"file_ids\":[\"" + file + "\"]}");
		String storePath = "/openai/vector_stores/" + id(store);
		JsonNode batch = client.postJson(path(storePath + "/file_batches"), "{\"file_ids\":[\"" + other + "\"]}");
		JsonNode reloaded = client.getJson(path(storePath));
		JsonNode files = client.getJson(path(storePath + "/files"));
		JsonNode batchFiles = client.getJson(path(storePath + "/file_batches/" + id(batch) + "/files"));
		HttpResponse<String> missing = client.post(path(storePath + "/files"), "{\"file_id\":\"file-missing\"}");

		assertThat(id(store)).matches("vs_[A-Za-z0-9]{24}");
		assertThat(store.at("/file_counts/total").intValue()).isEqualTo(1);
		assertThat(id(batch)).matches("vsfb_[A-Za-z0-9]{24}");
		assertThat(batch.get("status").stringValue()).isEqualTo("completed");
		assertThat(reloaded.at("/file_counts/completed").intValue()).isEqualTo(2);
		assertThat(reloaded.get("usage_bytes").intValue()).isEqualTo(18);
		assertThat(ids(files)).containsExactlyInAnyOrder(file, other);
		assertThat(ids(batchFiles)).containsExactly(other);
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(json(client.delete(path(storePath + "/files/" + file))).get("object").stringValue())
			.isEqualTo("vector_store.file.deleted");
		assertThat(json(client.delete(path(storePath))).get("object").stringValue()).isEqualTo("vector_store.deleted");
		assertThat(client.get(path(storePath)).statusCode()).isEqualTo(404);
	}

	@Test
	void batchWhenPolledThenRunsItsLinesAndCompletesWithOutputFile() throws Exception {
		String input = upload("batch", "input.jsonl",
				"{\"custom_id\":\"task-1\",\"method\":\"POST\",\"url\":\"/chat/completions\",\"body\":{\"model\":\"gpt-4o\","
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n"
						+ "{\"custom_id\":\"task-2\",\"method\":\"POST\",\"url\":\"/chat/completions\",\"body\":{\"model\":\"nope\","
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n");

		HttpResponse<String> created = client.post(path("/openai/batches"), "{\"input_file_id\":\"" + input
				+ "\",\"endpoint\":\"/chat/completions\",\"completion_window\":\"24h\"}");
		String batchPath = "/openai/batches/" + id(json(created));
		JsonNode inProgress = client.getJson(path(batchPath));
		JsonNode completed = client.getJson(path(batchPath));
		String output = client.get(path("/openai/files/" + completed.get("output_file_id").stringValue() + "/content"))
			.body();
		String errors = client.get(path("/openai/files/" + completed.get("error_file_id").stringValue() + "/content"))
			.body();
		HttpResponse<String> cancel = client.post(path(batchPath + "/cancel"), "");
		HttpResponse<String> unknownInput = client.post(path("/openai/batches"),
				"{\"input_file_id\":\"file-missing\",\"endpoint\":\"/chat/completions\",\"completion_window\":\"24h\"}");

		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(json(created).get("object").stringValue()).isEqualTo("batch");
		assertThat(json(created).get("status").stringValue()).isEqualTo("validating");
		assertThat(id(json(created))).startsWith("batch_");
		assertThat(inProgress.get("status").stringValue()).isEqualTo("in_progress");
		assertThat(completed.get("status").stringValue()).isEqualTo("completed");
		assertThat(completed.at("/request_counts/completed").intValue()).isEqualTo(1);
		assertThat(completed.at("/request_counts/failed").intValue()).isEqualTo(1);
		JsonNode line = json(output.lines().findFirst().orElseThrow());
		assertThat(line.get("custom_id").stringValue()).isEqualTo("task-1");
		assertThat(line.at("/response/status_code").intValue()).isEqualTo(200);
		assertThat(line.at("/response/body/object").stringValue()).isEqualTo("chat.completion");
		assertThat(json(errors.lines().findFirst().orElseThrow()).at("/error/code").stringValue())
			.isEqualTo("DeploymentNotFound");
		assertThat(cancel.statusCode()).isEqualTo(409);
		assertThat(unknownInput.statusCode()).isEqualTo(404);
	}

	@Test
	void responseWhenCreatedThenStoredAndContinuable() throws Exception {
		JsonNode first = client.postJson("/openai/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"Hello there\"}");
		JsonNode second = client.postJson("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"input\":\"And again\",\"previous_response_id\":\"" + id(first) + "\"}");
		HttpResponse<String> unknownPrevious = client.post("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"input\":\"x\",\"previous_response_id\":\"resp_missing\"}");
		HttpResponse<String> unknownModel = client.post("/openai/v1/responses",
				"{\"model\":\"gpt-5\",\"input\":\"x\"}");

		assertThat(id(first)).startsWith("resp_");
		assertThat(first.get("object").stringValue()).isEqualTo("response");
		assertThat(first.get("status").stringValue()).isEqualTo("completed");
		assertThat(first.get("model").stringValue()).isEqualTo("gpt-4o");
		assertThat(first.at("/output/0/type").stringValue()).isEqualTo("message");
		assertThat(first.at("/output/0/role").stringValue()).isEqualTo("assistant");
		assertThat(first.at("/output/0/content/0/type").stringValue()).isEqualTo("output_text");
		assertThat(first.at("/output/0/content/0/text").stringValue()).isEqualTo("This is a simulated");
		JsonNode usage = first.get("usage");
		assertThat(usage.get("input_tokens").intValue()).isEqualTo(3 + 4);
		assertThat(usage.get("output_tokens").intValue()).isEqualTo(4);
		assertThat(usage.get("total_tokens").intValue()).isEqualTo(11);
		assertThat(usage.at("/input_tokens_details/cached_tokens").intValue()).isZero();
		assertThat(usage.at("/output_tokens_details/reasoning_tokens").intValue()).isZero();
		assertThat(second.get("previous_response_id").stringValue()).isEqualTo(id(first));
		assertThat(second.at("/usage/input_tokens").intValue()).isEqualTo(3 + 4 + 11);
		assertThat(unknownPrevious.statusCode()).isEqualTo(404);
		assertThat(unknownModel.statusCode()).isEqualTo(404);
		assertThat(client.getJson("/openai/v1/responses/" + id(first))).isEqualTo(first);
		assertThat(json(client.delete("/openai/v1/responses/" + id(first))).get("deleted").booleanValue()).isTrue();
		assertThat(client.get("/openai/v1/responses/" + id(first)).statusCode()).isEqualTo(404);
	}

	@Test
	void conversationWhenResponsesCreatedInItThenHoldsEveryTurnAndOnlyItsOwnItems() throws Exception {
		JsonNode conversation = client.postJson("/openai/v1/conversations",
				"{\"metadata\":{\"topic\":\"demo\"},\"items\":[{\"type\":\"message\",\"role\":\"user\","
						+ "\"content\":\"Remember this.\"}]}");
		String id = id(conversation);
		JsonNode response = client.postJson("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"conversation\":{\"id\":\"" + id + "\"}}");
		JsonNode items = client.getJson("/openai/v1/conversations/" + id + "/items");
		HttpResponse<String> unknown = client.post("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"input\":\"x\",\"conversation\":\"conv_elsewhere\"}");
		String output = response.at("/output/0/id").stringValue();

		assertThat(id).startsWith("conv_");
		assertThat(conversation.get("object").stringValue()).isEqualTo("conversation");
		assertThat(conversation.at("/metadata/topic").stringValue()).isEqualTo("demo");
		assertThat(response.at("/conversation/id").stringValue()).isEqualTo(id);
		assertThat(ids(items)).hasSize(3).contains(output);
		assertThat(client.getJson("/openai/v1/conversations/" + id + "/items/" + output).at("/role").stringValue())
			.isEqualTo("assistant");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("conv_elsewhere");
		assertThat(client.get("/openai/v1/conversations/" + id + "/items/msg_elsewhere").statusCode()).isEqualTo(404);
		assertThat(json(client.delete("/openai/v1/conversations/" + id)).get("deleted").booleanValue()).isTrue();
		assertThat(client.get("/openai/v1/conversations/" + id + "/items").statusCode()).isEqualTo(404);
	}

	@Test
	void responseWhenStreamedThenNamedEventsEndWithCompletedUsage() throws Exception {
		HttpResponse<String> response = client.post("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"stream\":true}");

		List<String> names = eventNames(response.body());
		assertThat(names.get(0)).isEqualTo("response.created");
		assertThat(names.stream().filter("response.output_text.delta"::equals)).hasSize(4);
		assertThat(names.get(names.size() - 1)).isEqualTo("response.completed");
		List<String> data = data(response.body());
		JsonNode completed = json(data.get(data.size() - 1));
		assertThat(completed.get("sequence_number").intValue()).isEqualTo(data.size() - 1);
		assertThat(completed.at("/response/usage/output_tokens").intValue()).isEqualTo(4);
	}

	private String upload(String purpose, String filename, String content) throws Exception {
		return id(json(client.postMultipart(path("/openai/files"), SimulatorFixtures.multipart("bnd",
				Map.of("purpose", purpose), filename, content.getBytes(StandardCharsets.UTF_8)), "bnd")));
	}

	private static String path(String path) {
		return path + "?api-version=" + V;
	}

	private static String id(JsonNode object) {
		return object.get("id").stringValue();
	}

	private static List<String> ids(JsonNode list) {
		return StreamSupport.stream(list.get("data").spliterator(), false)
			.map(AzureOpenAiSimulatorStatefulTests::id)
			.toList();
	}

}
