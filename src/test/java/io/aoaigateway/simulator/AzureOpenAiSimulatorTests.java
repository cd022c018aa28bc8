package io.aoaigateway.simulator;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.aoaigateway.simulator.SimulatorFixtures.API_VERSION;
import static io.aoaigateway.simulator.SimulatorFixtures.KEY;
import static io.aoaigateway.simulator.SimulatorFixtures.data;
import static io.aoaigateway.simulator.SimulatorFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulated resource's key check, scripting, recording and stateless endpoints: chat,
 * completions, embeddings, audio, images and AI Model Inference chat.
 */
class AzureOpenAiSimulatorTests {

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions" + API_VERSION;

	private static final String HELLO = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
			+ "{\"role\":\"user\",\"content\":\"Say hello to the tests.\"}]}";

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
	void requestWhenApiKeyMissingOrWrongThenUnauthorized() throws Exception {
		HttpRequest.Builder request = client.request(CHAT).POST(BodyPublishers.ofString(HELLO));

		HttpResponse<String> missing = client.send(request.copy().build());
		HttpResponse<String> wrong = client.send(request.copy().header("api-key", "wrong").build());

		for (HttpResponse<String> response : List.of(missing, wrong)) {
			assertThat(response.statusCode()).isEqualTo(401);
			assertThat(json(response).at("/error/code").stringValue()).isEqualTo("401");
			assertThat(json(response).at("/error/message").stringValue())
				.startsWith("Access denied due to invalid subscription key or wrong API endpoint.");
		}
		assertThat(simulator.received()).hasSize(2);
	}

	@Test
	void requestWhenBearerOnResourceWithoutBearerCheckThenTokenUnauthorized() throws Exception {
		HttpResponse<String> response = client.send(client.request(CHAT)
			.header("Authorization", "Bearer " + KEY)
			.POST(BodyPublishers.ofString(HELLO))
			.build());

		assertTokenUnauthorized(response);
		assertThat(simulator.received()).hasSize(1);
	}

	@Test
	void requestWhenBearerCheckAcceptsTokenThenServedAndTokenRecorded() throws Exception {
		try (AzureOpenAiSimulator keyless = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withKeyAuth(false).withBearerCheck("token-of-gateway"::equals))) {
			SimulatorFixtures.Client keylessClient = SimulatorFixtures.client(keyless);

			HttpResponse<String> response = keylessClient.send(keylessClient.request(CHAT)
				.header("Authorization", "Bearer token-of-gateway")
				.POST(BodyPublishers.ofString(HELLO))
				.build());

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(json(response).get("object").stringValue()).isEqualTo("chat.completion");
			RecordedRequest received = keyless.received().get(0);
			assertThat(received.header("authorization")).isEqualTo("Bearer token-of-gateway");
			assertThat(received.header("api-key")).isNull();
			assertThat(received.toString()).doesNotContain("token-of-gateway");
		}
	}

	@Test
	void requestWhenBearerInvalidNotBearerOrMissingOnKeylessResourceThenTokenUnauthorized() throws Exception {
		try (AzureOpenAiSimulator keyless = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withKeyAuth(false).withBearerCheck("token-of-gateway"::equals))) {
			SimulatorFixtures.Client keylessClient = SimulatorFixtures.client(keyless);
			HttpRequest.Builder request = keylessClient.request(CHAT).POST(BodyPublishers.ofString(HELLO));

			HttpResponse<String> invalid = keylessClient
				.send(request.copy().header("Authorization", "Bearer token-of-caller").build());
			HttpResponse<String> basic = keylessClient
				.send(request.copy().header("Authorization", "Basic token-of-gateway").build());
			HttpResponse<String> missing = keylessClient.send(request.copy().build());

			for (HttpResponse<String> response : List.of(invalid, basic, missing)) {
				assertTokenUnauthorized(response);
			}
			assertThat(keyless.received()).hasSize(3);
		}
	}

	@Test
	void requestWhenApiKeyOnResourceWithKeyAuthDisabledThenForbiddenEvenBesideValidBearer() throws Exception {
		try (AzureOpenAiSimulator keyless = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withKeyAuth(false).withBearerCheck("token-of-gateway"::equals))) {
			SimulatorFixtures.Client keylessClient = SimulatorFixtures.client(keyless);
			HttpRequest.Builder request = keylessClient.request(CHAT).POST(BodyPublishers.ofString(HELLO));

			HttpResponse<String> key = keylessClient.send(request.copy().header("api-key", KEY).build());
			HttpResponse<String> both = keylessClient
				.send(request.copy().header("api-key", KEY).header("Authorization", "Bearer token-of-gateway").build());

			for (HttpResponse<String> response : List.of(key, both)) {
				assertThat(response.statusCode()).isEqualTo(403);
				assertThat(json(response).at("/error/code").stringValue()).isEqualTo("AuthenticationTypeDisabled");
				assertThat(json(response).at("/error/message").stringValue())
					.isEqualTo("Key based authentication is disabled for this resource.");
			}
		}
	}

	@Test
	void requestWhenBothHeadersOnResourceWithKeyAuthThenApiKeyDecides() throws Exception {
		try (AzureOpenAiSimulator both = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withBearerCheck("token-of-gateway"::equals))) {
			SimulatorFixtures.Client bothClient = SimulatorFixtures.client(both);
			HttpRequest.Builder request = bothClient.request(CHAT).POST(BodyPublishers.ofString(HELLO));

			HttpResponse<String> validKey = bothClient
				.send(request.copy().header("api-key", KEY).header("Authorization", "Bearer token-of-caller").build());
			HttpResponse<String> wrongKey = bothClient.send(request.copy()
				.header("api-key", "wrong")
				.header("Authorization", "Bearer token-of-gateway")
				.build());
			HttpResponse<String> bearerOnly = bothClient
				.send(request.copy().header("Authorization", "bearer token-of-gateway").build());

			assertThat(validKey.statusCode()).isEqualTo(200);
			assertThat(wrongKey.statusCode()).isEqualTo(401);
			assertThat(json(wrongKey).at("/error/message").stringValue()).startsWith("Access denied");
			assertThat(bearerOnly.statusCode()).isEqualTo(200);
		}
	}

	@Test
	void chatWhenNotStreamedThenAnswersCompletionWithUsageAndAzureHeaders() throws Exception {
		HttpResponse<String> response = client.post(CHAT, HELLO);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
		assertThat(response.headers().firstValue("apim-request-id")).isPresent();
		assertThat(response.headers().firstValue("x-request-id")).isPresent();
		assertThat(response.headers().firstValue("x-ms-region")).hasValue("swedencentral");
		assertThat(response.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("450000");
		JsonNode body = json(response);
		assertThat(body.get("id").stringValue()).startsWith("chatcmpl-");
		assertThat(body.get("object").stringValue()).isEqualTo("chat.completion");
		assertThat(body.get("model").stringValue()).isEqualTo("gpt-4o");
		assertThat(body.at("/prompt_filter_results/0/content_filter_results/hate/filtered").booleanValue()).isFalse();
		JsonNode choice = body.at("/choices/0");
		assertThat(choice.at("/message/role").stringValue()).isEqualTo("assistant");
		assertThat(choice.at("/message/content").stringValue()).isEqualTo("This is a simulated");
		assertThat(choice.get("finish_reason").stringValue()).isEqualTo("stop");
		assertThat(choice.at("/content_filter_results/violence/severity").stringValue()).isEqualTo("safe");
		// ceil(("You are terse." + "Say hello to the tests.").length() / 4) + 4 per
		// message
		int promptTokens = (37 + 3) / 4 + 2 * 4;
		JsonNode usage = body.get("usage");
		assertThat(usage.get("prompt_tokens").intValue()).isEqualTo(promptTokens);
		assertThat(usage.get("completion_tokens").intValue()).isEqualTo(4);
		assertThat(usage.get("total_tokens").intValue()).isEqualTo(promptTokens + 4);
		assertThat(usage.at("/prompt_tokens_details/cached_tokens").intValue()).isZero();
		assertThat(usage.at("/completion_tokens_details/reasoning_tokens").intValue()).isZero();
	}

	@Test
	void chatWhenCalledAgainThenRemainingTokensDecrease() throws Exception {
		long first = Long
			.parseLong(client.post(CHAT, HELLO).headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
		long second = Long
			.parseLong(client.post(CHAT, HELLO).headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());

		assertThat(second).isLessThan(first);
	}

	@Test
	void chatWhenNAndMaxTokensGivenThenAnswersNChoicesCutForLength() throws Exception {
		JsonNode body = client.postJson(CHAT,
				"{\"n\":3,\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

		assertThat(body.get("choices")).hasSize(3);
		assertThat(body.at("/choices/2/message/content").stringValue()).isEqualTo("This is");
		assertThat(body.at("/choices/2/finish_reason").stringValue()).isEqualTo("length");
		assertThat(body.at("/usage/completion_tokens").intValue()).isEqualTo(6);
	}

	@Test
	void chatWhenStreamedWithoutIncludeUsageThenChunksCarryNoUsage() throws Exception {
		HttpResponse<String> response = client.post(CHAT,
				"{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

		assertThat(response.headers().firstValue("content-type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/event-stream"));
		List<String> events = data(response.body());
		assertThat(events).hasSize(1 + 4 + 1 + 1);
		assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
		List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(SimulatorFixtures::json).toList();
		assertThat(chunks).allSatisfy((chunk) -> assertThat(chunk.has("usage")).isFalse());
		JsonNode first = chunks.get(0);
		assertThat(first.get("choices")).isEmpty();
		assertThat(first.get("id").stringValue()).isEmpty();
		assertThat(first.get("model").stringValue()).isEmpty();
		assertThat(first.get("created").intValue()).isZero();
		assertThat(first.at("/prompt_filter_results/0/prompt_index").intValue()).isZero();
		List<JsonNode> content = chunks.subList(1, 5);
		String id = content.get(0).get("id").stringValue();
		assertThat(id).startsWith("chatcmpl-");
		assertThat(content).allSatisfy((chunk) -> {
			assertThat(chunk.get("object").stringValue()).isEqualTo("chat.completion.chunk");
			assertThat(chunk.get("id").stringValue()).isEqualTo(id);
			assertThat(chunk.get("created").longValue()).isEqualTo(content.get(0).get("created").longValue());
			assertThat(chunk.at("/choices/0/content_filter_results").isObject()).isTrue();
		});
		assertThat(content.get(0).at("/choices/0/delta/role").stringValue()).isEqualTo("assistant");
		assertThat(content.get(1).at("/choices/0/delta").has("role")).isFalse();
		assertThat(content.stream().map((chunk) -> chunk.at("/choices/0/delta/content").stringValue()))
			.containsExactly("This", " is", " a", " simulated");
		JsonNode finish = chunks.get(5);
		assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
		assertThat(finish.at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
	}

	@Test
	void chatWhenStreamedWithIncludeUsageThenNullUsageOnEveryChunkAndFinalUsageChunk() throws Exception {
		HttpResponse<String> response = client.post(CHAT,
				"{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
						+ "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

		List<String> events = data(response.body());
		assertThat(events).hasSize(1 + 4 + 1 + 1 + 1);
		assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
		List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(SimulatorFixtures::json).toList();
		assertThat(chunks.subList(0, chunks.size() - 1))
			.allSatisfy((chunk) -> assertThat(chunk.get("usage").isNull()).isTrue());
		JsonNode last = chunks.get(chunks.size() - 1);
		assertThat(last.get("choices")).isEmpty();
		assertThat(last.at("/usage/prompt_tokens").intValue()).isEqualTo(1 + 4);
		assertThat(last.at("/usage/completion_tokens").intValue()).isEqualTo(4);
		assertThat(last.at("/usage/total_tokens").intValue()).isEqualTo(9);
	}

	@Test
	void chatWhenStreamPacedThenClientSeesEventsAtThatPace() throws Exception {
		Duration pace = Duration.ofMillis(80);
		try (AzureOpenAiSimulator paced = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withStreamChunks(5).withStreamPace(pace))) {
			SimulatorFixtures.Client pacedClient = SimulatorFixtures.client(paced);
			HttpRequest request = pacedClient.request(CHAT)
				.header("api-key", KEY)
				.POST(BodyPublishers
					.ofString("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
				.build();

			List<Long> arrivals = new ArrayList<>();
			try (Stream<String> lines = pacedClient.http().send(request, BodyHandlers.ofLines()).body()) {
				lines.filter((line) -> line.startsWith("data: ")).forEach((line) -> arrivals.add(System.nanoTime()));
			}

			assertThat(arrivals).hasSize(1 + 5 + 1 + 1);
			Duration spread = Duration.ofNanos(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
			assertThat(spread).isGreaterThanOrEqualTo(pace.multipliedBy(5 - 1));
		}
	}

	@Test
	void chatWhenClientLeavesMidStreamThenNextCallsAreServed() throws Exception {
		try (AzureOpenAiSimulator paced = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withStreamChunks(50).withStreamPace(Duration.ofMillis(50)))) {
			SimulatorFixtures.Client pacedClient = SimulatorFixtures.client(paced);
			HttpRequest request = pacedClient.request(CHAT)
				.header("api-key", KEY)
				.POST(BodyPublishers
					.ofString("{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
				.build();

			try (Stream<String> lines = pacedClient.http().send(request, BodyHandlers.ofLines()).body()) {
				assertThat(lines.findFirst()).hasValueSatisfying((line) -> assertThat(line).startsWith("data: "));
			}

			assertThat(pacedClient.post(CHAT, HELLO).statusCode()).isEqualTo(200);
		}
	}

	@Test
	void requestWhenThrottledTwiceScriptedThenTwo429sThenNormalAnswer() throws Exception {
		simulator.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(1500)),
				ScriptedAnswer.throttled(Duration.ofMillis(1500)));

		HttpResponse<String> first = client.post(CHAT, HELLO);
		HttpResponse<String> second = client.post(CHAT, HELLO);
		HttpResponse<String> third = client.post(CHAT, HELLO);

		for (HttpResponse<String> throttled : List.of(first, second)) {
			assertThat(throttled.statusCode()).isEqualTo(429);
			assertThat(throttled.headers().firstValue("retry-after-ms")).hasValue("1500");
			assertThat(throttled.headers().firstValue("retry-after")).hasValue("2");
			assertThat(json(throttled).at("/error/code").stringValue()).isEqualTo("429");
			assertThat(json(throttled).at("/error/message").stringValue()).contains("ChatCompletions_Create",
					"2024-10-21", "Please retry after 2 seconds");
		}
		assertThat(third.statusCode()).isEqualTo(200);
	}

	@Test
	void requestWhenStatusAndJsonScriptedThenAnswersThemInOrder() throws Exception {
		simulator.enqueue(ScriptedAnswer.status(503), ScriptedAnswer.json(200, "{\"custom\":true}"),
				ScriptedAnswer.contentFilter());

		HttpResponse<String> unavailable = client.post(CHAT, HELLO);
		HttpResponse<String> custom = client.post(CHAT, HELLO);
		HttpResponse<String> filtered = client.post(CHAT, HELLO);

		assertThat(unavailable.statusCode()).isEqualTo(503);
		assertThat(json(unavailable).at("/error/code").stringValue()).isEqualTo("503");
		assertThat(custom.statusCode()).isEqualTo(200);
		assertThat(custom.body()).isEqualTo("{\"custom\":true}");
		assertThat(filtered.statusCode()).isEqualTo(400);
		assertThat(json(filtered).at("/error/code").stringValue()).isEqualTo("content_filter");
	}

	@Test
	void requestWhenDisconnectScriptedThenConnectionClosesWithoutResponse() throws Exception {
		simulator.enqueue(ScriptedAnswer.disconnect());

		assertThatThrownBy(() -> client.post(CHAT, HELLO)).isInstanceOf(IOException.class);
		assertThat(client.post(CHAT, HELLO).statusCode()).isEqualTo(200);
		assertThat(simulator.received()).hasSize(2);
	}

	@Test
	void requestWhenDelayedScriptedThenAnswersAfterTheDelay() throws Exception {
		simulator.enqueue(ScriptedAnswer.delayed(Duration.ofMillis(300), ScriptedAnswer.normal()));

		long start = System.nanoTime();
		HttpResponse<String> response = client.post(CHAT, HELLO);

		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void requestWhenKeyWrongThenScriptIsNotConsumed() throws Exception {
		simulator.enqueue(ScriptedAnswer.status(500));

		client.send(client.request(CHAT).header("api-key", "wrong").POST(BodyPublishers.ofString(HELLO)).build());

		assertThat(client.post(CHAT, HELLO).statusCode()).isEqualTo(500);
	}

	@Test
	void requestWhenThrottleRateIsOneThenEveryCallIsThrottled() throws Exception {
		try (AzureOpenAiSimulator throttling = AzureOpenAiSimulator
			.start(SimulatorFixtures.settings().withThrottleRate(1.0))) {
			HttpResponse<String> response = SimulatorFixtures.client(throttling).post(CHAT, HELLO);

			assertThat(response.statusCode()).isEqualTo(429);
			assertThat(response.headers().firstValue("retry-after-ms")).hasValue("1000");
			assertThat(response.headers().firstValue("retry-after")).hasValue("1");
		}
	}

	@Test
	void chatWhenPromptContainsTriggerThenContentFilter400() throws Exception {
		HttpResponse<String> response = client.post(CHAT,
				"{\"messages\":[{\"role\":\"user\",\"content\":\"please [[content-filter]] me\"}]}");

		assertThat(response.statusCode()).isEqualTo(400);
		JsonNode error = json(response).get("error");
		assertThat(error.get("code").stringValue()).isEqualTo("content_filter");
		assertThat(error.get("param").stringValue()).isEqualTo("prompt");
		assertThat(error.at("/innererror/code").stringValue()).isEqualTo("ResponsibleAIPolicyViolation");
		assertThat(error.at("/innererror/content_filter_result/hate/filtered").booleanValue()).isTrue();
	}

	@Test
	void chatWhenDeploymentUnknownThenDeploymentNotFound() throws Exception {
		HttpResponse<String> response = client.post("/openai/deployments/gpt-5/chat/completions" + API_VERSION, HELLO);

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(json(response).at("/error/code").stringValue()).isEqualTo("DeploymentNotFound");
	}

	@Test
	void requestWhenPathUnknownThenResourceNotFound() throws Exception {
		HttpResponse<String> response = client.get("/openai/nothing-here" + API_VERSION);

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(json(response).at("/error/message").stringValue()).isEqualTo("Resource not found");
	}

	@Test
	void chatWhenBodyIsMalformedJsonThenBadRequest() throws Exception {
		HttpResponse<String> response = client.post(CHAT, "{\"messages\":[");

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(json(response).at("/error/code").stringValue()).isEqualTo("BadRequest");
	}

	@Test
	void completionsWhenStreamedThenTextCompletionChunksAndDone() throws Exception {
		HttpResponse<String> response = client.post("/openai/deployments/gpt-4o/completions" + API_VERSION,
				"{\"prompt\":\"Once upon\",\"stream\":true}");

		List<String> events = data(response.body());
		assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
		JsonNode content = json(events.get(1));
		assertThat(content.get("object").stringValue()).isEqualTo("text_completion");
		assertThat(content.at("/choices/0/text").stringValue()).isEqualTo("This");
		assertThat(json(events.get(events.size() - 2)).at("/choices/0/finish_reason").stringValue()).isEqualTo("stop");
	}

	@Test
	void completionsWhenNotStreamedThenTextAndUsage() throws Exception {
		JsonNode body = client.postJson("/openai/deployments/gpt-4o/completions" + API_VERSION,
				"{\"prompt\":\"Once upon a time\"}");

		assertThat(body.get("object").stringValue()).isEqualTo("text_completion");
		assertThat(body.at("/choices/0/text").stringValue()).isEqualTo("This is a simulated");
		assertThat(body.at("/usage/prompt_tokens").intValue()).isEqualTo(4);
		assertThat(body.at("/usage/total_tokens").intValue()).isEqualTo(8);
	}

	@Test
	void embeddingsWhenArrayInputThenOneDeterministicVectorEach() throws Exception {
		String path = "/openai/deployments/text-embedding-3-small/embeddings" + API_VERSION;

		JsonNode first = client.postJson(path, "{\"input\":[\"alpha\",\"beta\"]}");
		JsonNode again = client.postJson(path, "{\"input\":\"alpha\"}");

		assertThat(first.get("object").stringValue()).isEqualTo("list");
		assertThat(first.get("model").stringValue()).isEqualTo("text-embedding-3-small");
		assertThat(first.get("data")).hasSize(2);
		assertThat(first.at("/data/1/index").intValue()).isEqualTo(1);
		assertThat(first.at("/data/0/embedding")).hasSize(8);
		assertThat(first.at("/data/0/embedding")).isEqualTo(again.at("/data/0/embedding"));
		assertThat(first.at("/data/0/embedding")).isNotEqualTo(first.at("/data/1/embedding"));
		assertThat(first.at("/usage/prompt_tokens").intValue()).isEqualTo(2 + 1);
		assertThat(first.at("/usage/total_tokens").intValue()).isEqualTo(2 + 1);
	}

	@Test
	void v1ChatWhenModelHostedThenAnswersAndWhenNotThenDeploymentNotFound() throws Exception {
		HttpResponse<String> hosted = client.post("/openai/v1/chat/completions",
				"{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		HttpResponse<String> missing = client.post("/openai/v1/chat/completions",
				"{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		HttpResponse<String> embeddings = client.post("/openai/v1/embeddings",
				"{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}");

		assertThat(hosted.statusCode()).isEqualTo(200);
		assertThat(json(hosted).at("/model").stringValue()).isEqualTo("gpt-4o");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(json(missing).at("/error/code").stringValue()).isEqualTo("DeploymentNotFound");
		assertThat(embeddings.statusCode()).isEqualTo(200);
	}

	@Test
	void transcriptionWhenOneMebibyteUploadedThenTextMentionsItsSizeAndRawBodyIsRecorded() throws Exception {
		byte[] audio = new byte[1024 * 1024];
		Arrays.fill(audio, (byte) 7);
		byte[] body = SimulatorFixtures.multipart("b0undary", Map.of("response_format", "json"), "speech.wav", audio);

		HttpResponse<String> response = client
			.postMultipart("/openai/deployments/whisper/audio/transcriptions" + API_VERSION, body, "b0undary");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response).get("text").stringValue()).isEqualTo("simulated transcription of 1048576 bytes");
		assertThat(simulator.received().get(0).body()).isEqualTo(body);
	}

	@Test
	void audioWhenOtherFormatsRequestedThenVerboseJsonOrPlainText() throws Exception {
		String path = "/openai/deployments/whisper/audio/translations" + API_VERSION;
		byte[] audio = new byte[64_000];

		JsonNode verbose = json(client.postMultipart(path,
				SimulatorFixtures.multipart("x", Map.of("response_format", "verbose_json"), "a.wav", audio), "x"));
		HttpResponse<String> srt = client.postMultipart(path,
				SimulatorFixtures.multipart("x", Map.of("response_format", "srt"), "a.wav", audio), "x");

		assertThat(verbose.get("task").stringValue()).isEqualTo("translate");
		assertThat(verbose.get("duration").doubleValue()).isEqualTo(2.0);
		assertThat(verbose.get("text").stringValue()).isEqualTo("simulated translation of 64000 bytes");
		assertThat(verbose.get("segments")).isEmpty();
		assertThat(srt.headers().firstValue("content-type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/plain"));
		assertThat(srt.body()).contains("00:00:00,000 --> 00:00:02,000", "simulated translation of 64000 bytes");
	}

	@Test
	void transcriptionWhenFilePartMissingThenBadRequest() throws Exception {
		String body = "--x\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\njson\r\n--x--\r\n";

		HttpResponse<String> response = client.postMultipart(
				"/openai/deployments/whisper/audio/transcriptions" + API_VERSION, body.getBytes(StandardCharsets.UTF_8),
				"x");

		assertThat(response.statusCode()).isEqualTo(400);
	}

	@Test
	void speechWhenRequestedThenSameBinaryForSameInput() throws Exception {
		String path = "/openai/deployments/gpt-4o/audio/speech" + API_VERSION;
		HttpRequest.Builder request = client.request(path).header("api-key", KEY);

		HttpResponse<byte[]> first = client.http()
			.send(request.copy()
				.POST(BodyPublishers.ofString("{\"model\":\"tts\",\"input\":\"Hello\",\"voice\":\"alloy\"}"))
				.build(), BodyHandlers.ofByteArray());
		HttpResponse<byte[]> again = client.http()
			.send(request.copy()
				.POST(BodyPublishers.ofString("{\"model\":\"tts\",\"input\":\"Hello\",\"voice\":\"alloy\"}"))
				.build(), BodyHandlers.ofByteArray());
		HttpResponse<byte[]> other = client.http()
			.send(request.copy()
				.POST(BodyPublishers.ofString("{\"model\":\"tts\",\"input\":\"Bye\",\"voice\":\"alloy\"}"))
				.build(), BodyHandlers.ofByteArray());

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("content-type")).hasValue("application/octet-stream");
		assertThat(first.headers().firstValue("content-length")).hasValue("16384");
		assertThat(first.body()).hasSize(16384).startsWith("ID3".getBytes(StandardCharsets.US_ASCII));
		assertThat(again.body()).isEqualTo(first.body());
		assertThat(other.body()).isNotEqualTo(first.body());
	}

	@Test
	void imagesWhenGeneratedOnDeploymentThenBlobUrlAndFilterResults() throws Exception {
		JsonNode body = client.postJson("/openai/deployments/gpt-4o/images/generations" + API_VERSION,
				"{\"prompt\":\"a lighthouse\",\"n\":1,\"size\":\"1024x1024\"}");

		assertThat(body.get("created").longValue()).isPositive();
		assertThat(body.at("/data/0/url").stringValue())
			.startsWith("https://dalleprodsec.blob.core.windows.net/private/images/")
			.contains("/generated_00.png?se=");
		assertThat(body.at("/data/0/revised_prompt").stringValue()).contains("a lighthouse");
		assertThat(body.at("/data/0/prompt_filter_results/jailbreak/detected").booleanValue()).isFalse();
		assertThat(body.at("/data/0/content_filter_results/sexual/severity").stringValue()).isEqualTo("safe");
	}

	@Test
	void imageSubmitWhenPolledThenSucceededAndDeletable() throws Exception {
		HttpResponse<String> submitted = client.post("/openai/images/generations:submit?api-version=2023-06-01-preview",
				"{\"prompt\":\"a lighthouse\",\"n\":2,\"size\":\"512x512\"}");

		assertThat(submitted.statusCode()).isEqualTo(202);
		String id = json(submitted).get("id").stringValue();
		assertThat(json(submitted).get("status").stringValue()).isEqualTo("notRunning");
		String location = submitted.headers().firstValue("operation-location").orElseThrow();
		assertThat(location)
			.isEqualTo(simulator.baseUrl() + "/openai/operations/images/" + id + "?api-version=2023-06-01-preview");
		JsonNode operation = client.getJson(location);
		assertThat(operation.get("status").stringValue()).isEqualTo("succeeded");
		assertThat(operation.get("id").stringValue()).isEqualTo(id);
		assertThat(operation.get("expires").longValue()).isGreaterThan(operation.get("created").longValue());
		assertThat(operation.at("/result/data")).hasSize(2);
		assertThat(client.delete(location).statusCode()).isEqualTo(204);
		assertThat(client.get(location).statusCode()).isEqualTo(404);
	}

	@Test
	void modelsChatWhenExtraParameterThenRejectedUnlessDroppedOrPassedThrough() throws Exception {
		String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{}}";
		HttpRequest.Builder request = client.request("/models/chat/completions?api-version=2024-05-01-preview")
			.header("api-key", KEY)
			.POST(BodyPublishers.ofString(body));

		HttpResponse<String> absent = client.send(request.copy().build());
		HttpResponse<String> error = client.send(request.copy().header("extra-parameters", "error").build());
		HttpResponse<String> drop = client.send(request.copy().header("extra-parameters", "drop").build());
		HttpResponse<String> passThrough = client
			.send(request.copy().header("extra-parameters", "pass-through").build());

		for (HttpResponse<String> rejected : List.of(absent, error)) {
			assertThat(rejected.statusCode()).isEqualTo(400);
			assertThat(rejected.headers().firstValue("x-ms-error-code")).hasValue("extra_parameters_not_allowed");
			assertThat(json(rejected).at("/error/code").stringValue()).isEqualTo("extra_parameters_not_allowed");
			assertThat(json(rejected).at("/error/message").stringValue()).contains("logit_bias");
			assertThat(json(rejected).at("/error/details").isArray()).isTrue();
		}
		assertThat(drop.statusCode()).isEqualTo(200);
		assertThat(passThrough.statusCode()).isEqualTo(200);
	}

	@Test
	void modelsChatWhenModelAbsentThenFirstDeploymentAnswersWithInferenceUsage() throws Exception {
		JsonNode body = client.postJson("/models/chat/completions?api-version=2024-05-01-preview",
				"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
		HttpResponse<String> unknown = client.post("/models/chat/completions?api-version=2024-05-01-preview",
				"{\"model\":\"mistral-large\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

		assertThat(body.get("object").stringValue()).isEqualTo("chat.completion");
		assertThat(body.get("model").stringValue()).isEqualTo("gpt-4o");
		assertThat(body.at("/choices/0/message/content").stringValue()).isEqualTo("This is a simulated");
		assertThat(body.at("/usage/completion_tokens_details/audio_tokens").intValue()).isZero();
		assertThat(body.at("/usage/completion_tokens_details/total_tokens").intValue()).isEqualTo(4);
		assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").intValue()).isZero();
		assertThat(unknown.statusCode()).isEqualTo(404);
	}

	@Test
	void modelsChatWhenStreamedThenChatChunksAndDone() throws Exception {
		HttpResponse<String> response = client.post("/models/chat/completions?api-version=2024-05-01-preview",
				"{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

		List<String> events = data(response.body());
		assertThat(events).hasSize(4 + 1 + 1);
		assertThat(json(events.get(0)).get("object").stringValue()).isEqualTo("chat.completion.chunk");
		assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
	}

	@Test
	void requestWhenReceivedThenRecordedWithMethodPathQueryHeadersAndBody() throws Exception {
		HttpResponse<String> response = client.send(client.request(CHAT)
			.header("api-key", KEY)
			.header("X-Custom", "one")
			.header("x-ms-client-request-id", "client-42")
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(HELLO))
			.build());

		assertThat(response.headers().firstValue("x-ms-client-request-id")).hasValue("client-42");
		RecordedRequest recorded = simulator.received().get(0);
		assertThat(recorded.method()).isEqualTo("POST");
		assertThat(recorded.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions");
		assertThat(recorded.rawQuery()).isEqualTo("api-version=2024-10-21");
		assertThat(recorded.queryParameter("api-version")).isEqualTo("2024-10-21");
		assertThat(recorded.headers()).containsEntry("x-custom", List.of("one"));
		assertThat(recorded.header("API-KEY")).isEqualTo(KEY);
		assertThat(recorded.header("absent")).isNull();
		assertThat(recorded.bodyAsString()).isEqualTo(HELLO);
		assertThat(recorded.toString()).doesNotContain(KEY);
		simulator.clearReceived();
		assertThat(simulator.received()).isEmpty();
	}

	@Test
	void resetWhenCalledThenForgetsScriptRecordingsAndStoredObjects() throws Exception {
		String id = client.postJson("/openai/assistants" + API_VERSION, "{\"model\":\"gpt-4o\"}")
			.get("id")
			.stringValue();
		simulator.enqueue(ScriptedAnswer.status(500));

		simulator.reset();

		assertThat(simulator.received()).isEmpty();
		assertThat(client.get("/openai/assistants/" + id + API_VERSION).statusCode()).isEqualTo(404);
	}

	@Test
	void settingsWhenPrintedThenApiKeyIsMasked() {
		SimulatorSettings settings = SimulatorSettings.defaults("sim-a", "secret-key", Set.of("gpt-4o"));

		assertThat(settings.toString()).contains("sim-a", "****").doesNotContain("secret-key");
		assertThat(settings.port()).isZero();
		assertThat(settings.streamChunks()).isEqualTo(8);
		assertThat(settings.streamPace()).isZero();
		assertThat(settings.throttleRate()).isZero();
		assertThat(settings.region()).isEqualTo("swedencentral");
		assertThat(settings.keyAuth()).isTrue();
		assertThat(settings.bearerCheck()).isNull();
	}

	@Test
	void settingsWhenKeylessThenLaterChangesKeepKeyAuthAndBearerCheck() {
		SimulatorSettings settings = SimulatorSettings.defaults("sim-a", "secret-key", Set.of("gpt-4o"))
			.withKeyAuth(false)
			.withBearerCheck("token"::equals)
			.withPort(8181)
			.withStreamChunks(2)
			.withStreamPace(Duration.ofMillis(5))
			.withThrottleRate(0.5)
			.withRegion("eastus2");

		assertThat(settings.keyAuth()).isFalse();
		assertThat(settings.bearerCheck()).accepts("token").rejects("other");
		assertThat(settings.toString()).contains("keyAuth=false", "bearerCheck=set");
	}

	@Test
	void settingsWhenInvalidThenRejected() {
		SimulatorSettings settings = SimulatorSettings.defaults("sim-a", "key", Set.of("gpt-4o"));

		assertThatIllegalArgumentException().isThrownBy(() -> settings.withThrottleRate(1.5));
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withStreamChunks(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withStreamPace(Duration.ofMillis(-1)));
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withPort(70000));
		assertThatIllegalArgumentException().isThrownBy(() -> SimulatorSettings.defaults("sim", " ", Set.of()));
	}

	@Test
	void mainOptionsWhenParsedThenSettings() {
		SimulatorMain.Options options = SimulatorMain.Options.parse("--name=sim-a", "--port=8181", "--api-key=k",
				"--deployments=gpt-4o,text-embedding-3-small", "--stream-chunks=3", "--stream-pace=20ms",
				"--throttle-rate=0.25", "--region=eastus2");

		SimulatorSettings settings = options.settings();
		assertThat(settings.name()).isEqualTo("sim-a");
		assertThat(settings.apiKey()).isEqualTo("k");
		assertThat(settings.port()).isEqualTo(8181);
		assertThat(settings.deployments()).containsExactly("gpt-4o", "text-embedding-3-small");
		assertThat(settings.streamChunks()).isEqualTo(3);
		assertThat(settings.streamPace()).isEqualTo(Duration.ofMillis(20));
		assertThat(settings.throttleRate()).isEqualTo(0.25);
		assertThat(settings.region()).isEqualTo("eastus2");
		assertThat(settings.keyAuth()).isTrue();
		assertThat(settings.bearerCheck()).isNull();
		assertThat(SimulatorMain.Options.duration("1s")).isEqualTo(Duration.ofSeconds(1));
		assertThat(SimulatorMain.Options.duration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
		assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.Options.parse("--name=x"));
		assertThatIllegalArgumentException().isThrownBy(() -> SimulatorMain.Options.parse("--api-key=k", "--bogus=1"));
	}

	private static void assertTokenUnauthorized(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("www-authenticate")).isEmpty();
		assertThat(json(response).get("statusCode").intValue()).isEqualTo(401);
		assertThat(json(response).get("message").stringValue())
			.isEqualTo("Unauthorized. Access token is missing, invalid, audience is incorrect "
					+ "(https://cognitiveservices.azure.com), or have expired.");
	}

}
