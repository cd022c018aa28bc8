package io.aoaigateway.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayIntegrationSupport;
import io.aoaigateway.simulator.RecordedRequest;
import io.aoaigateway.simulator.ScriptedAnswer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import static io.aoaigateway.GatewayFixtures.KEY_A;
import static io.aoaigateway.GatewayFixtures.KEY_B;
import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route family, through the gateway to the simulators: what the backend received
 * (its own key, no caller credentials, path and query intact) and what the client got.
 */
class RoutingIntegrationTests extends GatewayIntegrationSupport {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final String CHAT = """
			{"messages":[{"role":"user","content":"Hello"}]}""";

	@LocalServerPort
	int port;

	@Test
	void chatCompletionGoesToThePreferredBackendWithItsKey() {
		byte[] body = this.client.post()
			.uri(URI.create("http://localhost:" + this.port + "/openai/deployments/gpt-4o/chat/completions?"
					+ API_VERSION + "&x=a%20b"))
			.headers((headers) -> {
				headers.setBearerAuth(token());
				headers.set("api-key", "caller-supplied-key");
				headers.set(HttpHeaders.COOKIE, "session=1");
			})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(CHAT)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.exists("apim-request-id")
			.expectHeader()
			.doesNotExist("x-ratelimit-remaining-tokens")
			.expectBody()
			.returnResult()
			.getResponseBody();

		JsonNode answer = JSON.readTree(body);
		assertThat(answer.path("object").stringValue()).isEqualTo("chat.completion");
		assertThat(answer.path("usage").path("total_tokens").asInt()).isPositive();
		RecordedRequest received = onlyRequest(SIM_A);
		assertSwappedCredentials(received, KEY_A);
		assertThat(received.method()).isEqualTo("POST");
		assertThat(received.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions");
		assertThat(received.rawQuery()).isEqualTo(API_VERSION + "&x=a%20b");
		assertForwardedWithPseudonymousUser(received, CHAT);
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void deploymentHostedOnlyUnderAnAliasIsRenamedInThePath() {
		postJson("/openai/deployments/gpt-4o-mini/chat/completions?" + API_VERSION, CHAT).expectStatus().isOk();

		RecordedRequest received = onlyRequest(SIM_B);
		assertSwappedCredentials(received, KEY_B);
		assertThat(received.path()).isEqualTo("/openai/deployments/mini-eu/chat/completions");
		assertThat(received.rawQuery()).isEqualTo(API_VERSION);
	}

	@Test
	void streamedChatReachesTheClientAsServerSentEvents() {
		String stream = this.client.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?" + API_VERSION)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}],"stream":true}""")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();

		List<String> data = dataLines(stream);
		assertThat(data).hasSize(4 + 3);
		assertThat(data.get(0)).contains("prompt_filter_results");
		assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
		assertSwappedCredentials(onlyRequest(SIM_A), KEY_A);
	}

	@Test
	void completionsEmbeddingsAndExtensionsAreRouted() {
		postJson("/openai/deployments/gpt-4o/completions?" + API_VERSION, """
				{"prompt":"Once upon a time","max_tokens":5}""").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.object")
			.isEqualTo("text_completion");
		postJson("/openai/deployments/text-embedding-3-small/embeddings?" + API_VERSION, """
				{"input":["a","b"]}""").expectStatus().isOk().expectBody().jsonPath("$.data.length()").isEqualTo(2);
		postJson("/openai/deployments/gpt-4o/extensions/chat/completions?" + API_VERSION, CHAT).expectStatus().isOk();

		assertThat(SIM_A.received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/deployments/gpt-4o/completions",
					"/openai/deployments/text-embedding-3-small/embeddings",
					"/openai/deployments/gpt-4o/extensions/chat/completions");
		SIM_A.received().forEach((received) -> assertSwappedCredentials(received, KEY_A));
	}

	@Test
	void largeMultipartTranscriptionArrivesWhole() {
		byte[] audio = new byte[3 * 1024 * 1024];
		Arrays.fill(audio, (byte) 7);
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("file", namedFile(audio, "speech.wav")).contentType(MediaType.parseMediaType("audio/wav"));
		form.part("response_format", "json");

		this.client.post()
			.uri("/openai/deployments/whisper/audio/transcriptions?" + API_VERSION)
			.headers((headers) -> headers.setBearerAuth(token()))
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.text")
			.isEqualTo("simulated transcription of " + audio.length + " bytes");

		RecordedRequest received = onlyRequest(SIM_A);
		assertSwappedCredentials(received, KEY_A);
		assertThat(received.header("content-type")).startsWith("multipart/form-data;").contains("boundary=");
	}

	@Test
	void speechBytesEqualADirectCall() throws Exception {
		String speech = """
				{"model":"tts","input":"The quick brown fox","voice":"alloy"}""";
		String path = "/openai/deployments/tts/audio/speech?" + API_VERSION;

		byte[] viaGateway = postJson(path, speech).expectStatus()
			.isOk()
			.expectHeader()
			.contentType("application/octet-stream")
			.expectBody()
			.returnResult()
			.getResponseBody();

		byte[] directly = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(SIM_A.baseUrl() + path))
				.header("api-key", KEY_A)
				.header("content-type", "application/json")
				.POST(BodyPublishers.ofString(speech))
				.build(), BodyHandlers.ofByteArray())
			.body();
		assertThat(viaGateway).isNotEmpty().isEqualTo(directly);
	}

	@Test
	void imageGenerationIsRouted() {
		postJson("/openai/deployments/dall-e-3/images/generations?" + API_VERSION, """
				{"prompt":"a lighthouse","n":1}""").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data[0].revised_prompt")
			.isEqualTo("A simulated image of: a lighthouse");
	}

	@Test
	void imageOperationLocationPointsBackAtTheGateway() {
		String location = postJson("/openai/images/generations:submit?api-version=2023-06-01-preview", """
				{"prompt":"a lighthouse","n":2}""").expectStatus()
			.isEqualTo(HttpStatus.ACCEPTED)
			.returnResult(String.class)
			.getResponseHeaders()
			.getFirst("operation-location");

		assertThat(location).startsWith("http://localhost:" + this.port + "/openai/operations/images/")
			.endsWith("?api-version=2023-06-01-preview");
		this.client.get()
			.uri(URI.create(location))
			.headers((headers) -> headers.setBearerAuth(token()))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("succeeded")
			.jsonPath("$.result.data.length()")
			.isEqualTo(2);
		assertThat(SIM_A.received()).hasSize(2).allSatisfy((received) -> assertSwappedCredentials(received, KEY_A));
	}

	@Test
	void assistantsThreadsRunsAndVectorStoresGoToTheStatefulBackend() {
		String assistant = id(postJson("/openai/assistants?" + API_VERSION, """
				{"model":"gpt-4o","name":"helper","instructions":"Be brief."}"""));
		String thread = id(postJson("/openai/threads?" + API_VERSION, "{}"));
		postJson("/openai/threads/" + thread + "/messages?" + API_VERSION, """
				{"role":"user","content":"Hello"}""").expectStatus().isOk();
		String run = id(postJson("/openai/threads/" + thread + "/runs?" + API_VERSION, """
				{"assistant_id":"%s"}""".formatted(assistant)));
		get("/openai/threads/" + thread + "/runs/" + run + "?" + API_VERSION).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(run);
		String store = id(postJson("/openai/vector_stores?" + API_VERSION, """
				{"name":"docs"}"""));
		get("/openai/vector_stores/" + store + "?" + API_VERSION).expectStatus().isOk();
		get("/openai/assistants?" + API_VERSION).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.object")
			.isEqualTo("list");

		get("/openai/threads/thread_doesnotexist?" + API_VERSION).expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.error.code")
			.exists();
		assertThat(SIM_B.received()).isEmpty();
		assertThat(SIM_A.received()).allSatisfy((received) -> {
			assertSwappedCredentials(received, KEY_A);
			assertThat(received.rawQuery()).isEqualTo(API_VERSION);
		});
	}

	@Test
	void fileUploadLocationPointsBackAtTheGatewayAndBatchesAreRouted() {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		form.part("purpose", "batch");
		String batchInput = """
				{"custom_id":"1","method":"POST","url":"/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}}
				""";
		form.part("file", namedFile(batchInput.getBytes(StandardCharsets.UTF_8), "input.jsonl"));

		var result = this.client.post()
			.uri("/openai/files?" + API_VERSION)
			.headers((headers) -> headers.setBearerAuth(token()))
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody()
			.returnResult();
		String file = JSON.readTree(result.getResponseBody()).path("id").stringValue();
		assertThat(result.getResponseHeaders().getLocation())
			.hasToString("http://localhost:" + this.port + "/openai/files/" + file + "?" + API_VERSION);

		get("/openai/files/" + file + "?" + API_VERSION).expectStatus().isOk();
		String batch = id(postJson("/openai/batches?" + API_VERSION, """
				{"input_file_id":"%s","endpoint":"/chat/completions","completion_window":"24h"}""".formatted(file)));
		get("/openai/batches/" + batch + "?" + API_VERSION).expectStatus().isOk();
		assertThat(SIM_A.received()).hasSize(4).allSatisfy((received) -> assertSwappedCredentials(received, KEY_A));
	}

	@Test
	void v1ChatIsRoutedByTheModelInTheBodyWithTheAliasRewritten() {
		postJson("/openai/v1/chat/completions", """
				{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""").expectStatus().isOk();

		RecordedRequest received = onlyRequest(SIM_B);
		assertSwappedCredentials(received, KEY_B);
		assertThat(received.path()).isEqualTo("/openai/v1/chat/completions");
		assertThat(JSON.readTree(received.body()).path("model").stringValue()).isEqualTo("mini-eu");
		assertThat(JSON.readTree(received.body()).path("messages").get(0).path("content").stringValue())
			.isEqualTo("Hi");
	}

	@Test
	void v1EmbeddingsWithoutAliasKeepTheClientsBytes() {
		String body = """
				{ "model" : "text-embedding-3-small", "input" : "caf\\u00e9" }""";
		postJson("/openai/v1/embeddings", body).expectStatus().isOk();

		assertForwardedWithPseudonymousUser(onlyRequest(SIM_A), body);
	}

	@Test
	void responsesGoToTheStatefulBackend() {
		String response = id(postJson("/openai/v1/responses", """
				{"model":"gpt-4o","input":"Hello"}"""));
		get("/openai/v1/responses/" + response).expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo(response);
		assertThat(SIM_A.received()).hasSize(2).allSatisfy((received) -> assertSwappedCredentials(received, KEY_A));
	}

	@Test
	void modelInferenceIsRoutedByTheModelInTheBody() {
		postJson("/models/chat/completions?api-version=2024-05-01-preview", """
				{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.object")
			.isEqualTo("chat.completion");

		RecordedRequest received = onlyRequest(SIM_A);
		assertThat(received.path()).isEqualTo("/models/chat/completions");
		assertThat(received.rawQuery()).isEqualTo("api-version=2024-05-01-preview");
	}

	@Test
	void backendErrorsPassThroughUnchanged() {
		SIM_A.enqueue(ScriptedAnswer.contentFilter());

		postJson("/openai/deployments/gpt-4o/chat/completions?" + API_VERSION, CHAT).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("content_filter");
	}

	@Test
	void unknownDeploymentIsAzuresDeploymentNotFound() {
		postJson("/openai/deployments/gpt-5-nano/chat/completions?" + API_VERSION, CHAT).expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("DeploymentNotFound")
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("gpt-5-nano"));
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void unknownPathIsAzuresResourceNotFound() {
		get("/openai/something/else?" + API_VERSION).expectStatus()
			.isNotFound()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("404")
			.jsonPath("$.error.message")
			.isEqualTo("Resource not found");
	}

	private WebTestClient.ResponseSpec get(String path) {
		return this.client.get().uri(path).headers((headers) -> headers.setBearerAuth(token())).exchange();
	}

	private static String id(WebTestClient.ResponseSpec spec) {
		byte[] body = spec.expectStatus().is2xxSuccessful().expectBody().returnResult().getResponseBody();
		String id = JSON.readTree(body).path("id").stringValue();
		assertThat(id).isNotBlank();
		return id;
	}

	// The gateway adds only the caller's pseudonymous user, in front of the client's
	// members, which keep their bytes.
	private static void assertForwardedWithPseudonymousUser(RecordedRequest received, String sent) {
		assertThat(received.bodyAsString()).matches("\\{\"user\":\"gw-[A-Za-z0-9_-]{22}\",.*")
			.endsWith(sent.substring(sent.indexOf('{') + 1));
	}

	private static ByteArrayResource namedFile(byte[] content, String filename) {
		return new ByteArrayResource(content) {
			@Override
			public String getFilename() {
				return filename;
			}
		};
	}

	static List<String> dataLines(String stream) {
		return stream.lines()
			.filter((line) -> line.startsWith("data:"))
			.map((line) -> line.substring("data:".length()).trim())
			.toList();
	}

}
