package io.aoaigateway.affinity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.Eventually.eventually;
import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stateful objects across two backends: each object stays where it was created, callers
 * reach only their own, unknown ids are found and remembered.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class AffinityIntegrationTests {

	static final String V = "?api-version=2024-10-01-preview";

	private static final JsonMapper JSON = JsonMapper.shared();

	@LocalServerPort
	int port;

	@Autowired
	AffinityStore store;

	@DynamicPropertySource
	static void twoStatefulBackends(DynamicPropertyRegistry registry) {
		GatewayFixtures.registerStateful(registry);
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	@Test
	void fullFlowWhenRepeatedThenEveryRunSucceedsAndEachObjectStaysOnOneBackend() {
		for (int run = 0; run < 100; run++) {
			String user = "flow-user-" + (run % 10);
			Set<String> ids = fullFlow(user);
			for (String id : ids) {
				boolean onA = mentions(SIM_A, id);
				boolean onB = mentions(SIM_B, id);
				assertThat(onA ^ onB).as("%s lives on exactly one backend (run %d)", id, run).isTrue();
			}
		}
	}

	@Test
	void unknownIdWhenFoundOnABackendThenRememberedForTheNextCall() {
		String thread = id(AffinityCalls.directPost(SIM_B, "/openai/threads" + V, "{}"));

		assertThat(get("finder", "/openai/threads/" + thread + V).getStatusCode().value()).isEqualTo(200);
		SIM_A.clearReceived();
		SIM_B.clearReceived();
		assertThat(get("finder", "/openai/threads/" + thread + V).getStatusCode().value()).isEqualTo(200);

		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).hasSize(1);
	}

	@Test
	void idNobodyHasWhenLookedUpThen404() {
		ResponseEntity<String> answer = get("finder", "/openai/threads/thread_doesnotexist000000" + V);

		assertThat(answer.getStatusCode().value()).isEqualTo(404);
		assertThat(answer.getBody()).contains("\"error\"");
	}

	@Test
	void anotherCallersIdWhenUsedThen404AsIfItDidNotExist() {
		String thread = id(post("alice", "/openai/threads" + V, "{}"));
		SIM_A.clearReceived();
		SIM_B.clearReceived();

		ResponseEntity<String> answer = get("mallory", "/openai/threads/" + thread + V);

		assertThat(answer.getStatusCode().value()).isEqualTo(404);
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
		assertThat(get("alice", "/openai/threads/" + thread + V).getStatusCode().value()).isEqualTo(200);
	}

	@Test
	void referencesOnDifferentBackendsWhenUsedTogetherThenConflict() {
		String assistant = id(post("mixer", "/openai/assistants" + V, """
				{"model":"gpt-4o-eu","instructions":"Be brief."}"""));
		AzureOpenAiSimulator home = holder("/openai/assistants/" + assistant);
		AzureOpenAiSimulator other = (home == SIM_A) ? SIM_B : SIM_A;
		String store = id(AffinityCalls.directPost(other, "/openai/vector_stores" + V, "{\"name\":\"elsewhere\"}"));
		assertThat(get("mixer", "/openai/vector_stores/" + store + V).getStatusCode().value()).isEqualTo(200);

		ResponseEntity<String> answer = post("mixer", "/openai/threads/runs" + V, """
				{"assistant_id":"%s","tool_resources":{"file_search":{"vector_store_ids":["%s"]}}}"""
			.formatted(assistant, store));

		assertThat(answer.getStatusCode().value()).isEqualTo(409);
		assertThat(answer.getBody()).contains("ConflictingReferences").contains(assistant).contains(store);
	}

	@Test
	void createWhenHomeBackendThrottlesThenLandsOnTheOtherAndIsFollowedThere() {
		String probe = id(post("mover", "/openai/threads" + V, "{}"));
		AzureOpenAiSimulator home = holder("/openai/threads/" + probe);
		AzureOpenAiSimulator other = (home == SIM_A) ? SIM_B : SIM_A;
		home.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(1)));

		String thread = id(post("mover", "/openai/threads" + V, "{}"));
		other.clearReceived();
		assertThat(get("mover", "/openai/threads/" + thread + V).getStatusCode().value()).isEqualTo(200);

		assertThat(other.received()).hasSize(1);
		assertThat(other.received().get(0).path()).isEqualTo("/openai/threads/" + thread);
		// The home backend cools down for a second: the next test must not find it so.
		eventually(() -> get("mover", "/openai/threads/" + probe + V).getStatusCode().value(),
				(status) -> status == 200, Duration.ofSeconds(10));
	}

	@Test
	void conversationWhenOnAnotherBackendThenResponsesAndItemsFollowIt() {
		String probe = id(post("talker", "/openai/v1/conversations", "{}"));
		AzureOpenAiSimulator home = holder("/openai/v1/conversations/" + probe);
		AzureOpenAiSimulator other = (home == SIM_A) ? SIM_B : SIM_A;
		// A conversation the gateway has not seen created, away from the caller's home.
		String conversation = id(
				AffinityCalls.directPost(other, "/openai/v1/conversations", "{\"metadata\":{\"topic\":\"x\"}}"));
		assertThat(get("talker", "/openai/v1/conversations/" + conversation).getStatusCode().value()).isEqualTo(200);
		home.clearReceived();
		other.clearReceived();
		// The deployment's name on that resource (a stateful call's model is sent as is).
		String model = (other == SIM_A) ? "gpt-4o" : "gpt-4o-eu";

		// Named as a string, then as an object: both go where the conversation lives.
		ok(post("talker", "/openai/v1/responses", """
				{"model":"%s","input":"Hi","conversation":"%s"}""".formatted(model, conversation)));
		ok(post("talker", "/openai/v1/responses", """
				{"model":"%s","input":"And then?","conversation":{"id":"%s"}}""".formatted(model, conversation)));
		ok(post("talker", "/openai/v1/conversations/" + conversation + "/items", """
				{"items":[{"type":"message","role":"user","content":"Noted."}]}"""));
		ResponseEntity<String> items = get("talker", "/openai/v1/conversations/" + conversation + "/items");

		ok(items);
		// Two turns (input and output each) and the item added.
		assertThat(JSON.readTree(items.getBody()).path("data")).hasSize(5);
		assertThat(home.received()).isEmpty();
		assertThat(other.received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/v1/responses", "/openai/v1/responses",
					"/openai/v1/conversations/" + conversation + "/items",
					"/openai/v1/conversations/" + conversation + "/items");
	}

	@Test
	void outputItemsWhenCreatedAwayFromHomeThenInputsThatCarryThemFollowTheirResource() {
		String probe = id(post("itemizer", "/openai/v1/responses", """
				{"model":"gpt-5-pool","input":"Hi"}"""));
		AzureOpenAiSimulator home = holder("/openai/v1/responses/" + probe);
		AzureOpenAiSimulator other = (home == SIM_A) ? SIM_B : SIM_A;
		String atHome = JSON.readTree(post("itemizer", "/openai/v1/responses", """
				{"model":"gpt-5-pool","input":"Hi"}""").getBody()).path("output").path(0).path("id").stringValue();
		home.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(1)));
		// Created on the other backend (a model both serve), streamed: its items are
		// learned from the events.
		ResponseEntity<String> stream = post("itemizer", "/openai/v1/responses", """
				{"model":"gpt-5-pool","input":"Hi","stream":true}""");
		ok(stream);
		String away = streamedItem(stream.getBody());
		// The home backend is usable again: only affinity keeps calls away from it.
		eventually(() -> get("itemizer", "/openai/v1/responses/" + probe).getStatusCode().value(),
				(status) -> status == 200, Duration.ofSeconds(10));
		home.clearReceived();
		other.clearReceived();

		// No previous_response_id: only the item says where the earlier turn lives.
		ResponseEntity<String> followUp = post("itemizer", "/openai/v1/responses", """
				{"model":"gpt-5-pool","store":false,"input":[{"type":"item_reference","id":"%s"},
				{"role":"user","content":"And then?"}]}""".formatted(away));
		ResponseEntity<String> mixed = post("itemizer", "/openai/v1/responses", """
				{"model":"gpt-5-pool","input":[{"type":"item_reference","id":"%s"},
				{"type":"item_reference","id":"%s"}]}""".formatted(away, atHome));
		ResponseEntity<String> stolen = post("intruder", "/openai/v1/responses", """
				{"model":"gpt-5-pool","input":[{"type":"item_reference","id":"%s"}]}""".formatted(away));

		ok(followUp);
		assertThat(other.received()).extracting(RecordedRequest::path).containsExactly("/openai/v1/responses");
		assertThat(home.received()).isEmpty();
		assertThat(mixed.getStatusCode().value()).isEqualTo(409);
		assertThat(mixed.getBody()).contains("ConflictingReferences").contains(away).contains(atHome);
		assertThat(stolen.getStatusCode().value()).isEqualTo(404);
		assertThat(stolen.getBody()).contains(away);
	}

	@Test
	void uploadWhenCompletedAwayFromHomeThenItsPartsAndItsFileFollowIt() {
		Away away = createdAwayFromHome("uploader", () -> id(post("uploader", "/openai/v1/uploads", """
				{"filename":"notes.txt","purpose":"assistants","bytes":10,"mime_type":"text/plain"}""")));
		String upload = away.created();

		String file = completed("uploader", upload, "hello", "world");
		ResponseEntity<String> store = post("uploader", "/openai/v1/vector_stores", """
				{"name":"docs","file_ids":["%s"]}""".formatted(file));

		ok(store);
		assertThat(away.home().received()).isEmpty();
		assertThat(away.other().received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/v1/uploads/" + upload + "/parts", "/openai/v1/uploads/" + upload + "/parts",
					"/openai/v1/uploads/" + upload + "/complete", "/openai/v1/vector_stores");
		assertThat(get("uploader", "/openai/v1/files/" + file).getStatusCode().value()).isEqualTo(200);
	}

	@Test
	void batchWhenItsInputFileIsAwayFromHomeThenItRunsWhereTheFileIs() {
		// A file upload streams through and cannot move on; an upload in parts can.
		Away away = createdAwayFromHome("batcher", () -> id(post("batcher", "/openai/v1/uploads", """
				{"filename":"requests.jsonl","purpose":"batch","bytes":4,"mime_type":"application/jsonl"}""")));
		String file = completed("batcher", away.created(), "{}\n\n");
		away.other().clearReceived();

		String batch = id(post("batcher", "/openai/v1/batches", """
				{"input_file_id":"%s","endpoint":"/chat/completions","completion_window":"24h"}""".formatted(file)));

		assertThat(get("batcher", "/openai/v1/batches/" + batch).getStatusCode().value()).isEqualTo(200);
		assertThat(away.home().received()).isEmpty();
		assertThat(away.other().received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/v1/batches", "/openai/v1/batches/" + batch);
	}

	// Something a caller creates while its home backend throttles once: it lands on the
	// other backend. Returns once the home backend is usable again (so that only affinity
	// keeps later calls away from it), with both backends' records cleared.
	private Away createdAwayFromHome(String user, Supplier<String> create) {
		String probe = id(post(user, "/openai/v1/vector_stores", "{\"name\":\"probe\"}"));
		AzureOpenAiSimulator home = holder("/openai/vector_stores/" + probe);
		AzureOpenAiSimulator other = (home == SIM_A) ? SIM_B : SIM_A;
		home.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(1)));
		String created = create.get();
		eventually(() -> get(user, "/openai/v1/vector_stores/" + probe).getStatusCode().value(),
				(status) -> status == 200, Duration.ofSeconds(10));
		home.clearReceived();
		other.clearReceived();
		return new Away(home, other, created);
	}

	// An upload completed from the given parts: the file it became.
	private String completed(String user, String upload, String... parts) {
		List<String> ids = new ArrayList<>();
		for (String part : parts) {
			ids.add(id(part(user, upload, part)));
		}
		ResponseEntity<String> completed = post(user, "/openai/v1/uploads/" + upload + "/complete",
				"{\"part_ids\":" + JSON.writeValueAsString(ids) + "}");
		ok(completed);
		return JSON.readTree(completed.getBody()).path("file").path("id").stringValue();
	}

	private record Away(AzureOpenAiSimulator home, AzureOpenAiSimulator other, String created) {
	}

	@Test
	void responseCreateWhenItsModelIsHostedElsewhereOrUnderAnotherNameThenTheBackendGetsItsOwnName() {
		// A caller whose home is sim-a, which names gpt-4o as callers do; sim-b hosts it
		// as gpt-4o-eu, and is the only one to host gpt-4o-mini (as mini-eu).
		String user = homedOn(SIM_A);
		SIM_A.clearReceived();
		SIM_B.clearReceived();

		ResponseEntity<String> mini = post(user, "/openai/v1/responses", """
				{"model":"gpt-4o-mini","input":"Hi"}""");
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(1)));
		ResponseEntity<String> movedOn = post(user, "/openai/v1/responses", """
				{"model":"gpt-4o","input":"Hi"}""");
		ResponseEntity<String> next = post(user, "/openai/v1/responses", """
				{"model":"gpt-4o","input":"And?","previous_response_id":"%s"}""".formatted(id(movedOn)));

		ok(mini);
		ok(next);
		assertThat(SIM_B.received()).extracting((request) -> JSON.readTree(request.body()).path("model").stringValue())
			.containsExactly("mini-eu", "gpt-4o-eu", "gpt-4o-eu");
		// The throttled attempt only.
		assertThat(SIM_A.received()).hasSize(1);
		eventually(() -> get(user, "/openai/v1/vector_stores").getStatusCode().value(), (status) -> status == 200,
				Duration.ofSeconds(10));
	}

	@Test
	void functionCallOutputWhenTheCallWasMadeAwayFromHomeThenItFollowsTheCallId() {
		String user = homedOn(SIM_A);
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(1)));
		ResponseEntity<String> called = post(user, "/openai/v1/responses", """
				{"model":"gpt-4o","input":"Weather?","store":false,"tool_choice":"required",
				"tools":[{"type":"function","name":"weather","parameters":{"type":"object"}}]}""");
		ok(called);
		String callId = JSON.readTree(called.getBody()).at("/output/0/call_id").stringValue();
		// sim-a is usable again: only the call id keeps the answer away from it.
		eventually(() -> get(user, "/openai/v1/vector_stores").getStatusCode().value(), (status) -> status == 200,
				Duration.ofSeconds(10));
		SIM_A.clearReceived();
		SIM_B.clearReceived();

		// No previous_response_id, no function_call item: only the call id.
		ResponseEntity<String> answered = post(user, "/openai/v1/responses", """
				{"model":"gpt-4o","store":false,
				"input":[{"type":"function_call_output","call_id":"%s","output":"sunny"}]}""".formatted(callId));

		ok(answered);
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).hasSize(1);
	}

	// A caller whose home backend is the given one.
	private String homedOn(AzureOpenAiSimulator backend) {
		for (int index = 0; index < 64; index++) {
			String user = "homed-" + index;
			String probe = id(post(user, "/openai/v1/vector_stores", "{\"name\":\"probe\"}"));
			if (holder("/openai/vector_stores/" + probe) == backend) {
				return user;
			}
		}
		throw new AssertionError("no caller found whose home is " + backend.name());
	}

	@Test
	void createWhenItsAnswerIsTooLargeToHoldThenItPassesAsItComesAndItsOwnerIsStillRecorded() {
		// The response echoes its instructions: an answer of about 1.5 MB, with its
		// length.
		String instructions = "x".repeat(1_500_000);
		ResponseEntity<String> created = TestClients.create("http://localhost:" + this.port)
			.mutate()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
			.build()
			.post()
			.uri("/openai/v1/responses")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("large")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"model":"gpt-5-pool","input":"Hi","instructions":"%s"}""".formatted(instructions))
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));

		String id = id(created);
		assertThat(created.getBody().length()).isGreaterThan(1_500_000);
		assertThat(created.getHeaders().getContentLength()).isEqualTo(created.getBody().length());
		// Recorded when the answer ended, not before it was handed over.
		Map<String, ObjectOwner> owners = eventually(
				() -> this.store.owners(Set.of(id), Instant.now()).block(Duration.ofSeconds(5)),
				(known) -> known.containsKey(id), Duration.ofSeconds(10));
		assertThat(owners.get(id).backend()).isEqualTo(holder("/openai/v1/responses/" + id).name());
	}

	@Test
	void anotherCallersConversationWhenNamedInAResponseThen404() {
		String conversation = id(post("keeper", "/openai/v1/conversations", "{}"));
		SIM_A.clearReceived();
		SIM_B.clearReceived();

		ResponseEntity<String> answer = post("mallory", "/openai/v1/responses", """
				{"model":"gpt-4o-eu","input":"Hi","conversation":{"id":"%s"}}""".formatted(conversation));

		assertThat(answer.getStatusCode().value()).isEqualTo(404);
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
		assertThat(get("keeper", "/openai/v1/conversations/" + conversation).getStatusCode().value()).isEqualTo(200);
	}

	// Assistant, thread, message, streamed run, poll, steps, file, vector store, file
	// batch: every call must succeed.
	private Set<String> fullFlow(String user) {
		Set<String> ids = new HashSet<>();
		String assistant = id(post(user, "/openai/assistants" + V, """
				{"model":"gpt-4o-eu","instructions":"Be brief."}"""));
		String thread = id(post(user, "/openai/threads" + V, "{}"));
		ok(post(user, "/openai/threads/" + thread + "/messages" + V, """
				{"role":"user","content":"What is affinity?"}"""));
		ResponseEntity<String> stream = post(user, "/openai/threads/" + thread + "/runs" + V, """
				{"assistant_id":"%s","stream":true}""".formatted(assistant));
		ok(stream);
		String run = runId(stream.getBody());
		ok(get(user, "/openai/threads/" + thread + "/runs/" + run + V));
		ok(get(user, "/openai/threads/" + thread + "/runs/" + run + "/steps" + V));
		String store = id(post(user, "/openai/vector_stores" + V, "{\"name\":\"docs\"}"));
		String file = id(post(user, "/openai/files" + V + "&purpose=assistants", null));
		ok(post(user, "/openai/vector_stores/" + store + "/file_batches" + V, """
				{"file_ids":["%s"]}""".formatted(file)));
		ids.addAll(List.of(assistant, thread, store, file));
		return ids;
	}

	private static boolean mentions(AzureOpenAiSimulator simulator, String id) {
		for (RecordedRequest request : simulator.received()) {
			if (request.path().contains(id) || request.bodyAsString().contains(id)) {
				return true;
			}
		}
		return false;
	}

	// Where a new object lives: the one simulator that has it (its id does not tell).
	private static AzureOpenAiSimulator holder(String path) {
		boolean onA = AffinityCalls.has(SIM_A, path + V);
		boolean onB = AffinityCalls.has(SIM_B, path + V);
		assertThat(onA ^ onB).as("%s lives on exactly one backend", path).isTrue();
		return onA ? SIM_A : SIM_B;
	}

	private static String streamedItem(String stream) {
		for (String line : stream.split("\n")) {
			if (line.startsWith("data:") && line.contains("\"response.completed\"")) {
				return JSON.readTree(line.substring(5).trim())
					.path("response")
					.path("output")
					.path(0)
					.path("id")
					.stringValue();
			}
		}
		throw new AssertionError("no completed response in " + stream);
	}

	private static String runId(String stream) {
		for (String line : stream.split("\n")) {
			if (line.startsWith("data:") && line.contains("\"thread.run\"")) {
				return JSON.readTree(line.substring(5).trim()).path("id").stringValue();
			}
		}
		throw new AssertionError("no run in " + stream);
	}

	// A null body: a file upload, multipart, streamed through.
	private ResponseEntity<String> post(String user, String path, @Nullable String body) {
		return (body != null) ? calls().post(user, path, body)
				: calls().upload(user, path, "file", "notes", Map.of("purpose", "assistants"));
	}

	private ResponseEntity<String> part(String user, String upload, String data) {
		return calls().upload(user, "/openai/v1/uploads/" + upload + "/parts", "data", data, Map.of());
	}

	private ResponseEntity<String> get(String user, String path) {
		return calls().get(user, path);
	}

	private AffinityCalls calls() {
		return new AffinityCalls(this.port);
	}

	private static void ok(ResponseEntity<String> answer) {
		assertThat(answer.getStatusCode().is2xxSuccessful()).as(answer.getBody()).isTrue();
	}

	private static String id(ResponseEntity<String> answer) {
		ok(answer);
		JsonNode body = JSON.readTree(answer.getBody());
		return body.path("id").stringValue();
	}

}
