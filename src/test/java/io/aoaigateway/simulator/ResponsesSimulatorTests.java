package io.aoaigateway.simulator;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import static io.aoaigateway.simulator.SimulatorFixtures.data;
import static io.aoaigateway.simulator.SimulatorFixtures.eventNames;
import static io.aoaigateway.simulator.SimulatorFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Responses API's stateful behaviour on two simulated resources: item ids and
 * references, reasoning items and their encrypted content, file search, streams,
 * background responses and input items, and how a resource refuses another's objects.
 */
class ResponsesSimulatorTests {

	private static final String V1 = "/openai/v1/responses";

	private static AzureOpenAiSimulator owner;

	private static AzureOpenAiSimulator other;

	private static SimulatorFixtures.Client client;

	private static SimulatorFixtures.Client otherClient;

	@BeforeAll
	static void start() {
		owner = AzureOpenAiSimulator.start(SimulatorFixtures.settings());
		other = AzureOpenAiSimulator.start(SimulatorFixtures.settings());
		client = SimulatorFixtures.client(owner);
		otherClient = SimulatorFixtures.client(other);
	}

	@AfterAll
	static void stop() {
		owner.close();
		other.close();
	}

	@AfterEach
	void reset() {
		owner.reset();
		other.reset();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/openai/v1/responses", "/openai/responses?api-version=2025-04-01-preview" })
	void itemReferenceWhenItemStoredHereThenAcceptedAndElsewhereNotFound(String path) throws Exception {
		JsonNode first = client.postJson(path, "{\"model\":\"gpt-4o\",\"input\":\"Hello\"}");
		String item = first.at("/output/0/id").stringValue();
		String reference = "{\"model\":\"gpt-4o\",\"input\":[{\"type\":\"item_reference\",\"id\":\"" + item + "\"}]}";

		HttpResponse<String> here = client.post(path, reference);
		HttpResponse<String> elsewhere = otherClient.post(path, reference);

		assertThat(item).matches("msg_[0-9a-f]{48}");
		assertThat(here.statusCode()).isEqualTo(200);
		assertThat(elsewhere.statusCode()).isEqualTo(404);
		assertThat(json(elsewhere).at("/error/code").stringValue()).isEqualTo("404");
		assertThat(json(elsewhere).at("/error/message").stringValue())
			.isEqualTo("Item with id '" + item + "' not found.");
	}

	@Test
	void itemReferenceWhenResponseNotStoredThenNotFound() throws Exception {
		JsonNode unstored = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"store\":false}");
		String item = unstored.at("/output/0/id").stringValue();

		HttpResponse<String> reference = client.post(V1,
				"{\"model\":\"gpt-4o\",\"input\":[{\"type\":\"item_reference\",\"id\":\"" + item + "\"}]}");

		assertThat(unstored.get("store").booleanValue()).isFalse();
		assertThat(item).startsWith("msg_");
		assertThat(reference.statusCode()).isEqualTo(404);
		assertThat(client.get(V1 + "/" + id(unstored)).statusCode()).isEqualTo(404);
	}

	@Test
	void inputItemWhenStoredThenReferenceableById() throws Exception {
		JsonNode first = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Remember me\"}");
		String input = client.getJson(V1 + "/" + id(first) + "/input_items").at("/data/0/id").stringValue();

		HttpResponse<String> reference = client.post(V1,
				"{\"model\":\"gpt-4o\",\"input\":[{\"type\":\"item_reference\",\"id\":\"" + input + "\"}]}");

		assertThat(input).startsWith("msg_");
		assertThat(reference.statusCode()).isEqualTo(200);
		assertThat(client.getJson(V1 + "/" + id(json(reference)) + "/input_items")
			.at("/data/0/content/0/text")
			.stringValue()).isEqualTo("Remember me");
	}

	@Test
	void reasoningWhenRequestedThenReasoningItemFirstAndReasoningTokensCounted() throws Exception {
		JsonNode plain = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello there\"}");
		JsonNode reasoned = client.postJson(V1,
				"{\"model\":\"gpt-4o\",\"input\":\"Hello there\",\"reasoning\":{\"effort\":\"low\"}}");

		assertThat(types(plain.get("output"))).containsExactly("message");
		assertThat(types(reasoned.get("output"))).containsExactly("reasoning", "message");
		JsonNode reasoning = reasoned.at("/output/0");
		assertThat(id(reasoning)).matches("rs_[0-9a-f]{48}");
		assertThat(reasoning.get("summary").isArray()).isTrue();
		assertThat(reasoning.get("summary")).isEmpty();
		assertThat(reasoning.has("encrypted_content")).isFalse();
		assertThat(reasoned.at("/reasoning/effort").stringValue()).isEqualTo("low");
		JsonNode usage = reasoned.get("usage");
		assertThat(usage.at("/output_tokens_details/reasoning_tokens").intValue())
			.isEqualTo(ResponsesApi.REASONING_TOKENS);
		assertThat(usage.get("output_tokens").intValue()).isEqualTo(4 + ResponsesApi.REASONING_TOKENS);
		assertThat(usage.get("total_tokens").intValue())
			.isEqualTo(usage.get("input_tokens").intValue() + usage.get("output_tokens").intValue());
		assertThat(plain.at("/usage/output_tokens").intValue()).isEqualTo(4);
	}

	@Test
	void encryptedContentWhenSentBackThenOnlyTheResourceThatWroteItReadsIt() throws Exception {
		JsonNode first = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Think\",\"store\":false,"
				+ "\"include\":[\"reasoning.encrypted_content\"]}");
		JsonNode reasoning = first.at("/output/0");
		String encrypted = reasoning.get("encrypted_content").stringValue();
		String sentBack = "{\"model\":\"gpt-4o\",\"store\":false,\"input\":[" + reasoning + ","
				+ "{\"type\":\"message\",\"role\":\"user\",\"content\":\"Go on\"}]}";
		String forged = forge(encrypted);

		HttpResponse<String> here = client.post(V1, sentBack);
		HttpResponse<String> elsewhere = otherClient.post(V1, sentBack);
		HttpResponse<String> tampered = client.post(V1, sentBack.replace(encrypted, forged));

		assertThat(reasoning.get("type").stringValue()).isEqualTo("reasoning");
		assertThat(encrypted).isNotBlank().doesNotContain(id(reasoning));
		assertThat(here.statusCode()).isEqualTo(200);
		for (HttpResponse<String> refused : List.of(elsewhere, tampered)) {
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(json(refused).at("/error/code").stringValue()).isEqualTo("invalid_encrypted_content");
			assertThat(json(refused).at("/error/message").stringValue())
				.startsWith("The encrypted content for item " + id(reasoning) + " could not be verified.");
		}
	}

	@Test
	void reasoningItemWithoutEncryptedContentWhenNotStoredThenNotFound() throws Exception {
		JsonNode stored = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Think\",\"reasoning\":{}}");
		JsonNode unstored = client.postJson(V1,
				"{\"model\":\"gpt-4o\",\"input\":\"Think\",\"reasoning\":{},\"store\":false}");
		String storedReasoning = id(stored.at("/output/0"));
		String unstoredReasoning = id(unstored.at("/output/0"));

		HttpResponse<String> known = client.post(V1, reasoningById(storedReasoning));
		HttpResponse<String> notKept = client.post(V1, reasoningById(unstoredReasoning));
		HttpResponse<String> elsewhere = otherClient.post(V1, reasoningById(storedReasoning));

		assertThat(known.statusCode()).isEqualTo(200);
		for (HttpResponse<String> refused : List.of(notKept, elsewhere)) {
			assertThat(refused.statusCode()).isEqualTo(404);
			assertThat(json(refused).at("/error/message").stringValue()).startsWith("Item with id 'rs_")
				.contains("Items are not persisted when `store` is set to false.");
		}
	}

	@Test
	void inputWhenFunctionCallOutputWithItsCallAndMessageWithIdThenAccepted() throws Exception {
		HttpResponse<String> response = client.post(V1, "{\"model\":\"gpt-4o\",\"input\":["
				+ "{\"type\":\"message\",\"id\":\"msg_mine\",\"role\":\"user\",\"content\":\"Weather?\"},"
				+ "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"{}\"},"
				+ "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"sunny\"}]}");

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode inputs = client.getJson(V1 + "/" + id(json(response)) + "/input_items?order=asc");
		assertThat(ids(inputs).get(0)).isEqualTo("msg_mine");
		assertThat(inputs.at("/data/2/type").stringValue()).isEqualTo("function_call_output");
		assertThat(inputs.at("/data/2/call_id").stringValue()).isEqualTo("call_1");
		assertThat(ids(inputs).get(2)).isNotBlank();
	}

	@Test
	void functionCallOutputWhenTheCallWasMadeHereThenAcceptedAndElsewhereRefused() throws Exception {
		JsonNode called = client.postJson(V1, """
				{"model":"gpt-4o","input":"Weather?","store":false,"tool_choice":"required",
				"tools":[{"type":"function","name":"weather","parameters":{"type":"object"}}]}""");
		String callId = called.at("/output/0/call_id").stringValue();
		String answer = """
				{"model":"gpt-4o","store":false,"input":[{"type":"function_call_output","call_id":"%s","output":"sunny"}]}"""
			.formatted(callId);

		HttpResponse<String> here = client.post(V1, answer);
		HttpResponse<String> elsewhere = otherClient.post(V1, answer);

		assertThat(called.at("/output/0/type").stringValue()).isEqualTo("function_call");
		assertThat(called.at("/output/0/name").stringValue()).isEqualTo("weather");
		assertThat(called.at("/output/0/id").stringValue()).startsWith("fc_");
		assertThat(callId).startsWith("call_");
		assertThat(here.statusCode()).isEqualTo(200);
		assertThat(elsewhere.statusCode()).isEqualTo(400);
		assertThat(json(elsewhere).at("/error/message").stringValue())
			.isEqualTo("No tool call found for function call output with call_id " + callId + ".");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/openai/v1/responses", "/openai/responses?api-version=2025-04-01-preview" })
	void streamWhenReasoningThenNumberedEventsAddEachItemWithItsId(String path) throws Exception {
		HttpResponse<String> response = client.post(path,
				"{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"stream\":true,\"reasoning\":{\"effort\":\"low\"}}");

		assertThat(eventNames(response.body())).containsExactly("response.created", "response.in_progress",
				"response.output_item.added", "response.output_item.done", "response.output_item.added",
				"response.content_part.added", "response.output_text.delta", "response.output_text.delta",
				"response.output_text.delta", "response.output_text.delta", "response.output_text.done",
				"response.content_part.done", "response.output_item.done", "response.completed");
		List<JsonNode> events = events(response.body());
		for (int i = 0; i < events.size(); i++) {
			assertThat(events.get(i).get("sequence_number").intValue()).isEqualTo(i);
		}
		JsonNode completed = events.get(events.size() - 1).get("response");
		assertThat(completed.get("status").stringValue()).isEqualTo("completed");
		assertThat(types(completed.get("output"))).containsExactly("reasoning", "message");
		assertThat(completed.at("/usage/output_tokens").intValue()).isEqualTo(4 + ResponsesApi.REASONING_TOKENS);
		assertThat(events.get(2).get("output_index").intValue()).isZero();
		assertThat(id(events.get(2).get("item"))).isEqualTo(id(completed.at("/output/0")));
		assertThat(events.get(4).get("output_index").intValue()).isEqualTo(1);
		assertThat(id(events.get(4).get("item"))).isEqualTo(id(completed.at("/output/1")));
		assertThat(events.get(0).at("/response/status").stringValue()).isEqualTo("in_progress");
		assertThat(client.getJson(V1 + "/" + id(completed))).isEqualTo(completed);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/openai/v1/responses", "/openai/responses?api-version=2025-04-01-preview" })
	void backgroundWhenPolledThenQueuedThenInProgressThenCompleted(String path) throws Exception {
		JsonNode created = client.postJson(path, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");
		String get = responsePath(path, id(created));

		JsonNode first = client.getJson(get);
		JsonNode second = client.getJson(get);
		JsonNode third = client.getJson(get);

		assertThat(created.get("status").stringValue()).isEqualTo("queued");
		assertThat(created.get("background").booleanValue()).isTrue();
		assertThat(created.get("usage").isNull()).isTrue();
		assertThat(created.get("output")).isEmpty();
		assertThat(first.get("status").stringValue()).isEqualTo("in_progress");
		assertThat(first.get("usage").isNull()).isTrue();
		assertThat(second.get("status").stringValue()).isEqualTo("completed");
		assertThat(second.get("background").booleanValue()).isTrue();
		assertThat(second.at("/output/0/content/0/text").stringValue()).isEqualTo("This is a simulated");
		assertThat(second.at("/usage/output_tokens").intValue()).isEqualTo(4);
		assertThat(third).isEqualTo(second);
		HttpResponse<String> reference = client.post(path, "{\"model\":\"gpt-4o\",\"input\":[{\"type\":"
				+ "\"item_reference\",\"id\":\"" + second.at("/output/0/id").stringValue() + "\"}]}");
		assertThat(reference.statusCode()).isEqualTo(200);
	}

	@Test
	void backgroundWhenNotStoredThenBadRequest() throws Exception {
		HttpResponse<String> response = client.post(V1,
				"{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true,\"store\":false}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(json(response).at("/error/param").stringValue()).isEqualTo("background");
	}

	@Test
	void cancelWhenBackgroundRunningThenCancelledAndIdempotent() throws Exception {
		JsonNode queued = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");
		JsonNode running = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");
		client.get(V1 + "/" + id(running));

		JsonNode cancelled = client.postJson(V1 + "/" + id(queued) + "/cancel", "");
		JsonNode cancelledRunning = client.postJson(V1 + "/" + id(running) + "/cancel", "");
		JsonNode again = client.postJson(V1 + "/" + id(queued) + "/cancel", "");

		assertThat(cancelled.get("status").stringValue()).isEqualTo("cancelled");
		assertThat(cancelled.get("output")).isEmpty();
		assertThat(cancelled.at("/usage/input_tokens").intValue()).isPositive();
		assertThat(cancelled.at("/usage/output_tokens").intValue()).isZero();
		assertThat(cancelled.at("/usage/total_tokens").intValue())
			.isEqualTo(cancelled.at("/usage/input_tokens").intValue());
		assertThat(cancelledRunning.get("status").stringValue()).isEqualTo("cancelled");
		assertThat(again).isEqualTo(cancelled);
		assertThat(client.getJson(V1 + "/" + id(queued))).isEqualTo(cancelled);
		assertThat(client.getJson(V1 + "/" + id(queued))).isEqualTo(cancelled);
	}

	@Test
	void cancelWhenFinishedOrNotBackgroundOrUnknownThenUnchangedOrRefused() throws Exception {
		JsonNode background = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");
		client.get(V1 + "/" + id(background));
		JsonNode completed = client.getJson(V1 + "/" + id(background));
		JsonNode synchronous = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\"}");

		JsonNode cancelCompleted = client.postJson(V1 + "/" + id(background) + "/cancel", "");
		HttpResponse<String> cancelSynchronous = client.post(V1 + "/" + id(synchronous) + "/cancel", "");
		HttpResponse<String> cancelUnknown = client.post(V1 + "/resp_unknown/cancel", "");
		HttpResponse<String> cancelElsewhere = otherClient.post(V1 + "/" + id(background) + "/cancel", "");

		assertThat(completed.get("status").stringValue()).isEqualTo("completed");
		assertThat(cancelCompleted).isEqualTo(completed);
		assertThat(cancelSynchronous.statusCode()).isEqualTo(400);
		assertThat(json(cancelSynchronous).at("/error/message").stringValue())
			.isEqualTo("Cannot cancel a synchronous response.");
		assertThat(cancelUnknown.statusCode()).isEqualTo(404);
		assertThat(cancelElsewhere.statusCode()).isEqualTo(404);
	}

	@Test
	void backgroundStreamWhenResumedThenReplaysEventsAfterTheSequenceNumber() throws Exception {
		HttpResponse<String> created = client.post(V1,
				"{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true,\"stream\":true}");
		List<JsonNode> events = events(created.body());
		String id = id(events.get(0).get("response"));

		HttpResponse<String> resumed = client.get(V1 + "/" + id + "?stream=true&starting_after=3");
		HttpResponse<String> whole = client.get(V1 + "/" + id + "?stream=true");
		HttpResponse<String> elsewhere = otherClient.get(V1 + "/" + id + "?stream=true&starting_after=3");

		assertThat(events.get(0).get("type").stringValue()).isEqualTo("response.created");
		assertThat(events.get(0).at("/response/status").stringValue()).isEqualTo("queued");
		assertThat(events.get(0).at("/response/background").booleanValue()).isTrue();
		JsonNode last = events.get(events.size() - 1);
		assertThat(last.get("type").stringValue()).isEqualTo("response.completed");
		assertThat(last.at("/response/usage/output_tokens").intValue()).isEqualTo(4);
		assertThat(resumed.headers().firstValue("content-type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/event-stream"));
		List<JsonNode> replayed = events(resumed.body());
		assertThat(replayed).hasSize(events.size() - 4);
		assertThat(replayed.get(0).get("sequence_number").intValue()).isEqualTo(4);
		assertThat(replayed).isEqualTo(events.subList(4, events.size()));
		assertThat(events(whole.body())).isEqualTo(events);
		assertThat(client.getJson(V1 + "/" + id)).isEqualTo(last.get("response"));
		assertThat(elsewhere.statusCode()).isEqualTo(404);
	}

	@Test
	void streamedGetWhenNotBackgroundStreamThenBadRequest() throws Exception {
		JsonNode synchronous = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"stream\":false}");
		JsonNode background = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");
		client.get(V1 + "/" + id(background));
		client.get(V1 + "/" + id(background));

		HttpResponse<String> streamSynchronous = client.get(V1 + "/" + id(synchronous) + "?stream=true");
		HttpResponse<String> streamFinished = client.get(V1 + "/" + id(background) + "?stream=true");

		assertThat(streamSynchronous.statusCode()).isEqualTo(400);
		assertThat(json(streamSynchronous).at("/error/param").stringValue()).isEqualTo("stream");
		assertThat(streamFinished.statusCode()).isEqualTo(400);
	}

	@Test
	void streamedGetWhenBackgroundQueuedThenCompletesAndStreamsItsLife() throws Exception {
		JsonNode queued = client.postJson(V1, "{\"model\":\"gpt-4o\",\"input\":\"Hello\",\"background\":true}");

		HttpResponse<String> streamed = client.get(V1 + "/" + id(queued) + "?stream=true");
		HttpResponse<String> resumed = client.get(V1 + "/" + id(queued) + "?stream=true&starting_after=0");

		List<String> names = eventNames(streamed.body());
		assertThat(names.get(0)).isEqualTo("response.created");
		assertThat(names.get(names.size() - 1)).isEqualTo("response.completed");
		JsonNode completed = events(streamed.body()).get(names.size() - 1).get("response");
		assertThat(completed.get("id").stringValue()).isEqualTo(id(queued));
		assertThat(completed.at("/usage/output_tokens").intValue()).isEqualTo(4);
		assertThat(client.getJson(V1 + "/" + id(queued))).isEqualTo(completed);
		assertThat(eventNames(resumed.body())).isEqualTo(names.subList(1, names.size()));
	}

	@Test
	void inputItemsWhenListedThenPagedLikeOtherLists() throws Exception {
		JsonNode response = client.postJson(V1,
				"{\"model\":\"gpt-4o\",\"input\":["
						+ "{\"role\":\"user\",\"content\":\"one\"},{\"role\":\"assistant\",\"content\":\"two\"},"
						+ "{\"role\":\"user\",\"content\":\"three\"}]}");
		String items = V1 + "/" + id(response) + "/input_items";

		JsonNode newestFirst = client.getJson(items);
		JsonNode oldestFirst = client.getJson(items + "?order=asc&limit=2");
		JsonNode rest = client.getJson(items + "?order=asc&after=" + oldestFirst.get("last_id").stringValue());
		HttpResponse<String> elsewhere = otherClient.get(items);

		assertThat(newestFirst.get("object").stringValue()).isEqualTo("list");
		assertThat(texts(newestFirst)).containsExactly("three", "two", "one");
		assertThat(newestFirst.get("first_id").stringValue()).isEqualTo(ids(newestFirst).get(0));
		assertThat(newestFirst.get("has_more").booleanValue()).isFalse();
		assertThat(texts(oldestFirst)).containsExactly("one", "two");
		assertThat(oldestFirst.get("has_more").booleanValue()).isTrue();
		assertThat(texts(rest)).containsExactly("three");
		assertThat(elsewhere.statusCode()).isEqualTo(404);
	}

	@Test
	void fileSearchWhenVectorStoreHereThenSearchCallFirstAndElsewhereNotFound() throws Exception {
		String file = id(json(client.postMultipart("/openai/files?api-version=2024-10-21",
				SimulatorFixtures.multipart("bnd", Map.of("purpose", "assistants"), "notes.txt",
						"Otters hold hands.".getBytes(StandardCharsets.UTF_8)),
				"bnd")));
		String store = id(client.postJson("/openai/vector_stores?api-version=2024-10-21",
				"{\"name\":\"notes\",\"file_ids\":[\"" + file + "\"]}"));
		String request = "{\"model\":\"gpt-4o\",\"input\":\"What do otters do?\",\"tools\":[{\"type\":"
				+ "\"file_search\",\"vector_store_ids\":[\"" + store + "\"]}]}";

		JsonNode here = client.postJson(V1, request);
		HttpResponse<String> elsewhere = otherClient.post(V1, request);

		assertThat(types(here.get("output"))).containsExactly("file_search_call", "message");
		JsonNode search = here.at("/output/0");
		assertThat(id(search)).matches("fs_[0-9a-f]{48}");
		assertThat(search.get("status").stringValue()).isEqualTo("completed");
		assertThat(search.at("/queries/0").stringValue()).isEqualTo("What do otters do?");
		assertThat(here.at("/output/1/content/0/annotations/0/type").stringValue()).isEqualTo("file_citation");
		assertThat(here.at("/output/1/content/0/annotations/0/file_id").stringValue()).isEqualTo(file);
		assertThat(elsewhere.statusCode()).isEqualTo(404);
		assertThat(json(elsewhere).at("/error/message").stringValue())
			.isEqualTo("Vector store with id '" + store + "' not found.");
	}

	@Test
	void fileSearchWhenStreamedThenSearchEventsBeforeTheMessage() throws Exception {
		String store = id(client.postJson("/openai/vector_stores?api-version=2024-10-21", "{\"name\":\"empty\"}"));

		HttpResponse<String> response = client.post(V1, "{\"model\":\"gpt-4o\",\"input\":\"Find\",\"stream\":true,"
				+ "\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"" + store + "\"]}]}");

		assertThat(eventNames(response.body()).subList(2, 8)).containsExactly("response.output_item.added",
				"response.file_search_call.in_progress", "response.file_search_call.searching",
				"response.file_search_call.completed", "response.output_item.done", "response.output_item.added");
		assertThat(events(response.body()).get(3).get("item_id").stringValue()).startsWith("fs_");
	}

	// Changes the last character of the signature inside the content.
	private static String forge(String encrypted) {
		String clear = new String(Base64.getDecoder().decode(encrypted), StandardCharsets.UTF_8);
		char last = clear.charAt(clear.length() - 1);
		String changed = clear.substring(0, clear.length() - 1) + ((last == '0') ? '1' : '0');
		return Base64.getEncoder().encodeToString(changed.getBytes(StandardCharsets.UTF_8));
	}

	private static String reasoningById(String id) {
		return "{\"model\":\"gpt-4o\",\"input\":[{\"type\":\"reasoning\",\"id\":\"" + id + "\",\"summary\":[]},"
				+ "{\"type\":\"message\",\"role\":\"user\",\"content\":\"Go on\"}]}";
	}

	// The path of one response under a create path, keeping its query.
	private static String responsePath(String createPath, String id) {
		int query = createPath.indexOf('?');
		return (query < 0) ? createPath + "/" + id
				: createPath.substring(0, query) + "/" + id + createPath.substring(query);
	}

	private static List<JsonNode> events(String body) {
		return data(body).stream().map(SimulatorFixtures::json).toList();
	}

	private static String id(JsonNode object) {
		return object.get("id").stringValue();
	}

	private static List<String> ids(JsonNode list) {
		return StreamSupport.stream(list.get("data").spliterator(), false).map(ResponsesSimulatorTests::id).toList();
	}

	private static List<String> types(JsonNode items) {
		List<String> types = new ArrayList<>();
		items.forEach((item) -> types.add(item.get("type").stringValue()));
		return types;
	}

	private static List<String> texts(JsonNode list) {
		List<String> texts = new ArrayList<>();
		list.get("data").forEach((item) -> texts.add(TextGeneration.text(item.get("content"))));
		return texts;
	}

}
