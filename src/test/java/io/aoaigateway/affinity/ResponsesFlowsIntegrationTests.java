package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.aoaigateway.Eventually.eventually;
import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multi-turn Responses API flows of many callers across two backends, as users send them
 * now: {@code previous_response_id}, conversations, {@code store: false} chains that
 * carry encrypted reasoning, background responses (one streamed and resumed, one nobody
 * ever fetches) and file search over an uploaded file. Every call must succeed (the
 * simulators fail like Azure when a call reaches the wrong resource), every object must
 * live on one backend, and each caller must be charged exactly what the backends report.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ResponsesFlowsIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String MODEL = "gpt-5-pool";

	private static final int FLOWS = 100;

	private static final int CALLERS = 10;

	// The caller's own quota endpoint.
	private static final String QUOTA_PATH = "/gateway/quota";

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void twoStatefulBackendsAndDailyQuotas(DynamicPropertyRegistry registry) {
		GatewayFixtures.registerStateful(registry);
		registry.add("aoai.quota.policies[0].name", () -> "user-daily");
		registry.add("aoai.quota.policies[0].scope", () -> "user");
		registry.add("aoai.quota.policies[0].tokens-per-day", () -> "1000000000");
		// Background responses nobody fetches are read (and charged) within a second.
		registry.add("aoai.quota.settlement.first-read", () -> "50ms");
		registry.add("aoai.quota.settlement.max-backoff", () -> "100ms");
		registry.add("aoai.quota.settlement.interval", () -> "20ms");
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	@Test
	void flowsWhenRepeatedAcrossTwoBackendsThenEveryCallSucceedsEachObjectLivesOnOneAndUsageIsChargedExactly() {
		Map<String, Long> reported = new HashMap<>();
		List<String> unfetched = new ArrayList<>();
		Map<String, String> ownerOfUnfetched = new HashMap<>();
		for (int flow = 0; flow < FLOWS; flow++) {
			String user = "responses-flow-" + (flow % CALLERS);
			// Every fourth flow thinks away from home: its home backend throttles once.
			Flow result = flow(user, flow % 4 == 0);
			reported.merge(user, result.usage(), Long::sum);
			unfetched.add(result.unfetched());
			ownerOfUnfetched.put(result.unfetched(), user);
			for (String path : result.objects()) {
				boolean onA = has(SIM_A, path);
				boolean onB = has(SIM_B, path);
				assertThat(onA ^ onB).as("%s lives on exactly one backend (flow %d)", path, flow).isTrue();
			}
		}
		// What the backends say the responses nobody fetched used.
		for (String id : unfetched) {
			reported.merge(ownerOfUnfetched.get(id), backendUsage(id), Long::sum);
		}

		for (Map.Entry<String, Long> caller : reported.entrySet()) {
			long expected = caller.getValue();
			long charged = eventually(() -> used(caller.getKey()), (used) -> used == expected, Duration.ofSeconds(30));
			assertThat(charged).as("tokens charged to %s", caller.getKey()).isEqualTo(expected);
		}
	}

	// One caller's session; answers the paths of the objects it made, the usage the
	// answers reported,
	// and a background response it never fetches.
	private Flow flow(String user, boolean thinkAway) {
		List<String> objects = new ArrayList<>();
		long usage = 0;
		// Two turns chained by previous_response_id.
		JsonNode first = ok(post(user, "/openai/v1/responses", request("What is affinity?")));
		ObjectNode second = request("And why does it matter?");
		second.put("previous_response_id", first.path("id").stringValue());
		JsonNode chained = ok(post(user, "/openai/v1/responses", second));
		usage += total(first) + total(chained);
		objects.add("/openai/v1/responses/" + first.path("id").stringValue());
		objects.add("/openai/v1/responses/" + chained.path("id").stringValue());

		// A conversation, named as an object.
		String conversation = ok(post(user, "/openai/v1/conversations", JSON.createObjectNode())).path("id")
			.stringValue();
		ObjectNode inConversation = request("Remember this.");
		inConversation.putObject("conversation").put("id", conversation);
		usage += total(ok(post(user, "/openai/v1/responses", inConversation)));
		ok(get(user, "/openai/v1/conversations/" + conversation + "/items"));
		objects.add("/openai/v1/conversations/" + conversation);

		// A store:false chain: the reasoning travels encrypted, readable only where it
		// was made; no previous_response_id says where that is.
		ObjectNode stateless = request("Think about it.");
		stateless.put("store", false);
		stateless.putArray("include").add("reasoning.encrypted_content");
		stateless.putObject("reasoning").put("effort", "low");
		if (thinkAway) {
			String home = "/openai/v1/responses/" + first.path("id").stringValue();
			(has(SIM_A, home) ? SIM_A : SIM_B).enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1)));
		}
		JsonNode thought = ok(post(user, "/openai/v1/responses", stateless));
		ObjectNode next = request(null);
		next.put("store", false);
		next.putArray("include").add("reasoning.encrypted_content");
		ArrayNode input = next.putArray("input");
		thought.path("output").forEach(input::add);
		input.addObject().put("role", "user").put("content", "Go on.");
		usage += total(thought) + total(ok(post(user, "/openai/v1/responses", next)));

		// A streamed background response, read again from a later event.
		ObjectNode streamed = request("Tell me a long story.");
		streamed.put("background", true).put("stream", true);
		String events = stream(post(user, "/openai/v1/responses", streamed));
		JsonNode completed = lastEvent(events);
		String streamedId = completed.path("response").path("id").stringValue();
		usage += completed.path("response").path("usage").path("total_tokens").asLong();
		String resumed = stream(get(user, "/openai/v1/responses/" + streamedId + "?stream=true&starting_after=3"));
		assertThat(resumed).doesNotContain("\"sequence_number\":3,").contains("response.completed");
		objects.add("/openai/v1/responses/" + streamedId);

		// A background response nobody fetches again.
		ObjectNode background = request("Write a novel.");
		background.put("background", true);
		String unfetched = ok(post(user, "/openai/v1/responses", background)).path("id").stringValue();

		// File search over an uploaded file.
		String file = ok(upload(user)).path("id").stringValue();
		ObjectNode store = JSON.createObjectNode().put("name", "docs");
		store.putArray("file_ids").add(file);
		String vectorStore = ok(post(user, "/openai/v1/vector_stores", store)).path("id").stringValue();
		ObjectNode search = request("What do my notes say?");
		search.putArray("tools").addObject().put("type", "file_search").putArray("vector_store_ids").add(vectorStore);
		usage += total(ok(post(user, "/openai/v1/responses", search)));
		objects.add("/openai/v1/files/" + file);
		objects.add("/openai/v1/vector_stores/" + vectorStore);
		return new Flow(objects, usage, unfetched);
	}

	private static ObjectNode request(@Nullable String input) {
		ObjectNode request = JSON.createObjectNode().put("model", MODEL);
		if (input != null) {
			request.put("input", input);
		}
		return request;
	}

	private static long total(JsonNode response) {
		assertThat(response.path("usage").isObject()).as("usage of %s", response).isTrue();
		return response.path("usage").path("total_tokens").asLong();
	}

	private static JsonNode ok(ResponseEntity<String> answer) {
		assertThat(answer.getStatusCode().is2xxSuccessful()).as(answer.getBody()).isTrue();
		return JSON.readTree(answer.getBody());
	}

	private static String stream(ResponseEntity<String> answer) {
		assertThat(answer.getStatusCode().is2xxSuccessful()).as(answer.getBody()).isTrue();
		return answer.getBody();
	}

	private static JsonNode lastEvent(String events) {
		JsonNode last = null;
		for (String line : events.split("\n")) {
			if (line.startsWith("data:")) {
				last = JSON.readTree(line.substring(5).trim());
			}
		}
		assertThat(last).isNotNull();
		assertThat(last.path("type").stringValue()).isEqualTo("response.completed");
		return last;
	}

	// Two reads on the resource that holds it complete it if nobody has yet; its usage
	// was fixed when it was created.
	private static long backendUsage(String id) {
		String path = "/openai/v1/responses/" + id;
		assertThat(has(SIM_A, path) ^ has(SIM_B, path)).as("%s lives on exactly one backend", path).isTrue();
		for (AzureOpenAiSimulator simulator : List.of(SIM_A, SIM_B)) {
			for (int read = 0; read < 2; read++) {
				ResponseEntity<String> answer = AffinityCalls.directGet(simulator, path);
				if (!answer.getStatusCode().is2xxSuccessful()) {
					break;
				}
				JsonNode response = JSON.readTree(answer.getBody());
				if ("completed".equals(response.path("status").stringValue())) {
					return response.path("usage").path("total_tokens").asLong();
				}
			}
		}
		throw new AssertionError(id + " is on no backend");
	}

	private static boolean has(AzureOpenAiSimulator simulator, String path) {
		return AffinityCalls.has(simulator, path);
	}

	private long used(String user) {
		JsonNode windows = ok(get(user, QUOTA_PATH)).path("windows");
		assertThat(windows).hasSize(1);
		return windows.path(0).path("used").asLong();
	}

	private ResponseEntity<String> post(String user, String path, JsonNode body) {
		return new AffinityCalls(this.port).post(user, path, JSON.writeValueAsString(body));
	}

	private ResponseEntity<String> upload(String user) {
		return new AffinityCalls(this.port).upload(user, "/openai/v1/files", "file",
				"Affinity keeps state where it lives.", Map.of("purpose", "assistants"));
	}

	private ResponseEntity<String> get(String user, String path) {
		return new AffinityCalls(this.port).get(user, path);
	}

	private record Flow(List<String> objects, long usage, String unfetched) {
	}

}
