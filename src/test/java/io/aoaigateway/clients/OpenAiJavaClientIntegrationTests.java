package io.aoaigateway.clients;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.credential.BearerTokenCredential;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.conversations.Conversation;
import com.openai.models.conversations.Message;
import com.openai.models.conversations.items.ConversationItem;
import com.openai.models.conversations.items.ItemListParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The official OpenAI Java client ({@code com.openai:openai-java}) in front of the
 * gateway, configured as a user's app would be for Azure OpenAI with an Entra ID token:
 * the gateway's {@code /openai/v1} base URL, or its {@code /openai} base URL with an
 * {@code api-version}. Both simulated resources are stateful, so a caller's objects live
 * on their home resource and every call about them must follow them there.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpenAiJavaClientIntegrationTests {

	// An api-version that serves the Responses API at /openai/responses (it needs a
	// 2025 preview; the GA 2024-10-21 has none).
	private static final AzureOpenAIServiceVersion RESPONSES_PREVIEW = AzureOpenAIServiceVersion
		.fromString("2025-04-01-preview");

	// The generally available api-version of the classic, deployment-scoped paths.
	private static final AzureOpenAIServiceVersion GENERALLY_AVAILABLE = AzureOpenAIServiceVersion
		.fromString("2024-10-21");

	@LocalServerPort
	int port;

	private final List<OpenAIClient> clients = new ArrayList<>();

	@DynamicPropertySource
	static void twoStatefulBackends(DynamicPropertyRegistry registry) {
		GatewayFixtures.registerStateful(registry);
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(OpenAIClient::close);
	}

	@Test
	void createWhenNotStreamedThenTheClientReadsOutputTextAndUsage() {
		OpenAIClient client = v1("client-create");
		AzureOpenAiSimulator home = home(client);

		Response response = client.responses().create(ask(home, "Say hello."));

		assertThat(response.id()).startsWith("resp_");
		assertThat(response.status()).contains(ResponseStatus.COMPLETED);
		assertThat(outputText(response)).isNotBlank();
		ResponseUsage usage = response.usage().orElseThrow();
		assertThat(usage.inputTokens()).isPositive();
		assertThat(usage.outputTokens()).isPositive();
		assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
		RecordedRequest received = onlyRequest(home);
		assertThat(received.path()).isEqualTo("/openai/v1/responses");
		// The caller's Entra token stays at the gateway; the resource sees its own key.
		assertThat(received.header("authorization")).isNull();
		assertThat(received.header("api-key")).isEqualTo(key(home));
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void previousResponseIdWhenSecondTurnThenBothTurnsLandOnTheSameSimulator() {
		OpenAIClient client = v1("client-turns");
		AzureOpenAiSimulator home = home(client);

		Response first = client.responses().create(ask(home, "Pick a number."));
		Response second = client.responses()
			.create(ask(home, "Double it.").toBuilder().previousResponseId(first.id()).build());

		assertThat(second.previousResponseId()).contains(first.id());
		assertThat(outputText(second)).isNotBlank();
		assertThat(home.received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/v1/responses", "/openai/v1/responses");
		assertThat(home.received().get(1).bodyAsString()).contains(first.id());
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void previousResponseIdWhenItLivesAwayFromTheCallersHomeThenTheSecondTurnFollowsIt() {
		OpenAIClient client = v1("client-away");
		AzureOpenAiSimulator home = home(client);
		AzureOpenAiSimulator away = other(home);
		// A response the gateway did not see created, on the other resource; the client
		// finds it through the gateway first.
		Response first = directClient(away).responses().create(ask(away, "Where are you?"));
		assertThat(client.responses().retrieve(first.id()).id()).isEqualTo(first.id());
		home.clearReceived();
		away.clearReceived();

		Response second = client.responses()
			.create(ask(away, "And now?").toBuilder().previousResponseId(first.id()).build());

		assertThat(second.previousResponseId()).contains(first.id());
		assertThat(onlyRequest(away).path()).isEqualTo("/openai/v1/responses");
		assertThat(home.received()).isEmpty();
	}

	@Test
	void createStreamingWhenConsumedThenEventsArriveInOrderAndTheCompletedEventCarriesUsage() {
		OpenAIClient client = v1("client-stream");
		AzureOpenAiSimulator home = home(client);
		List<ResponseStreamEvent> events = new ArrayList<>();

		try (StreamResponse<ResponseStreamEvent> stream = client.responses()
			.createStreaming(ask(home, "Stream, please."))) {
			stream.stream().forEach(events::add);
		}

		List<JsonNode> framed = events.stream().map(OpenAiJavaClientIntegrationTests::json).toList();
		List<String> types = framed.stream().map((event) -> event.path("type").asText()).distinct().toList();
		assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
				"response.content_part.added", "response.output_text.delta", "response.output_text.done",
				"response.content_part.done", "response.output_item.done", "response.completed");
		assertThat(framed).extracting((event) -> event.path("sequence_number").asLong())
			.containsExactlyElementsOf(sequence(framed.size()));
		String deltas = events.stream()
			.flatMap((event) -> event.outputTextDelta().stream())
			.map((delta) -> delta.delta())
			.collect(Collectors.joining());
		String done = events.stream()
			.flatMap((event) -> event.outputTextDone().stream())
			.map((event) -> event.text())
			.findFirst()
			.orElseThrow();
		assertThat(deltas).isNotBlank().isEqualTo(done);
		ResponseStreamEvent last = events.get(events.size() - 1);
		Response completed = last.completed().orElseThrow().response();
		assertThat(completed.status()).contains(ResponseStatus.COMPLETED);
		assertThat(outputText(completed)).isEqualTo(done);
		ResponseUsage usage = completed.usage().orElseThrow();
		assertThat(usage.outputTokens()).isPositive();
		assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
		assertThat(onlyRequest(home).bodyAsString()).contains("\"stream\":true");
	}

	@Test
	void conversationWhenAResponseIsCreatedInItThenItsItemsHoldTheTurn() {
		OpenAIClient client = v1("client-conversation");
		AzureOpenAiSimulator home = home(client);
		Conversation conversation = client.conversations().create();

		Response response = client.responses()
			.create(ask(home, "Remember this.").toBuilder().conversation(conversation.id()).build());
		List<ConversationItem> items = client.conversations()
			.items()
			.list(conversation.id(), ItemListParams.builder().order(ItemListParams.Order.ASC).build())
			.data();

		assertThat(response.conversation().orElseThrow().id()).isEqualTo(conversation.id());
		List<Message> messages = items.stream().flatMap((item) -> item.message().stream()).toList();
		assertThat(messages).hasSize(2);
		assertThat(messages).extracting((message) -> message.role().asString()).containsExactly("user", "assistant");
		assertThat(messages.get(0).content().get(0).inputText().orElseThrow().text()).isEqualTo("Remember this.");
		assertThat(messages.get(1).content().get(0).outputText().orElseThrow().text()).isEqualTo(outputText(response));
		assertThat(home.received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/v1/conversations", "/openai/v1/responses",
					"/openai/v1/conversations/" + conversation.id() + "/items");
		assertThat(home.received().get(2).queryParameter("order")).isEqualTo("asc");
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void retrieveAndDeleteWhenByIdThenTheResponseIsReadThenGone() {
		OpenAIClient client = v1("client-delete");
		AzureOpenAiSimulator home = home(client);
		Response created = client.responses().create(ask(home, "Keep me."));

		Response retrieved = client.responses().retrieve(created.id());
		client.responses().delete(created.id());

		assertThat(retrieved.id()).isEqualTo(created.id());
		assertThat(outputText(retrieved)).isEqualTo(outputText(created));
		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> client.responses().retrieve(created.id()))
			.satisfies((notFound) -> assertThat(notFound.statusCode()).isEqualTo(404));
		assertThat(home.received()).extracting((request) -> request.method() + " " + request.path())
			.containsExactly("POST /openai/v1/responses", "GET /openai/v1/responses/" + created.id(),
					"DELETE /openai/v1/responses/" + created.id(), "GET /openai/v1/responses/" + created.id());
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void backgroundResponseWhenRetrievedUntilDoneThenItCompletesWhereItWasCreated() {
		OpenAIClient client = v1("client-background");
		AzureOpenAiSimulator home = home(client);

		Response created = client.responses().create(ask(home, "Take your time.").toBuilder().background(true).build());

		assertThat(created.status())
			.hasValueSatisfying((status) -> assertThat(status).isIn(ResponseStatus.QUEUED, ResponseStatus.IN_PROGRESS));
		List<ResponseStatus> seen = new ArrayList<>();
		Response latest = created;
		// The simulator moves a background response on with each read: a handful of reads
		// is plenty, and needs no waiting.
		for (int reads = 0; reads < 5 && !latest.status().orElseThrow().equals(ResponseStatus.COMPLETED); reads++) {
			latest = client.responses().retrieve(created.id());
			seen.add(latest.status().orElseThrow());
		}
		assertThat(seen).last().isEqualTo(ResponseStatus.COMPLETED);
		assertThat(latest.id()).isEqualTo(created.id());
		assertThat(outputText(latest)).isNotBlank();
		assertThat(latest.usage().orElseThrow().outputTokens()).isPositive();
		List<String> calls = new ArrayList<>(List.of("POST /openai/v1/responses"));
		seen.forEach((status) -> calls.add("GET /openai/v1/responses/" + created.id()));
		assertThat(home.received()).extracting((request) -> request.method() + " " + request.path())
			.containsExactlyElementsOf(calls);
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void backgroundResponseWhenCancelledThenTheClientReadsItCancelled() {
		OpenAIClient client = v1("client-cancel");
		AzureOpenAiSimulator home = home(client);
		Response created = client.responses().create(ask(home, "Never mind.").toBuilder().background(true).build());

		Response cancelled = client.responses().cancel(created.id());

		assertThat(cancelled.id()).isEqualTo(created.id());
		assertThat(cancelled.status()).contains(ResponseStatus.CANCELLED);
		assertThat(home.received()).extracting((request) -> request.method() + " " + request.path())
			.containsExactly("POST /openai/v1/responses", "POST /openai/v1/responses/" + created.id() + "/cancel");
		assertThat(other(home).received()).isEmpty();
	}

	@Test
	void retrieveWhenTheResponseIsAnotherCallersThenNotFoundWithAnAzureError() {
		OpenAIClient owner = v1("client-owner");
		Response response = owner.responses().create(ask(home(owner), "Mine."));
		SIM_A.clearReceived();
		SIM_B.clearReceived();
		OpenAIClient mallory = v1("client-mallory");

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> mallory.responses().retrieve(response.id()))
			.satisfies((notFound) -> {
				assertThat(notFound.statusCode()).isEqualTo(404);
				assertThat(notFound.code()).contains("NotFound");
				assertThat(notFound.getMessage()).startsWith("404: ").contains(response.id());
			});
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
		assertThat(owner.responses().retrieve(response.id()).id()).isEqualTo(response.id());
	}

	@Test
	void retrieveWhenNoResourceHasTheResponseThenNotFoundWithAnAzureError() {
		OpenAIClient client = v1("client-unknown");
		String unknown = "resp_" + "0".repeat(48);

		assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> client.responses().retrieve(unknown))
			.satisfies((notFound) -> {
				assertThat(notFound.statusCode()).isEqualTo(404);
				assertThat(notFound.code()).isPresent();
				assertThat(notFound.getMessage()).startsWith("404: ").contains(unknown);
			});
	}

	@Test
	void createWhenTheBaseUrlIsOpenaiWithAnApiVersionThenTheClassicResponsesPathIsServed() {
		OpenAIClient client = classic("client-classic", AzureUrlPathMode.UNIFIED);
		AzureOpenAiSimulator home = home(v1("client-classic"));

		Response created = client.responses().create(ask(home, "The classic way."));
		Response retrieved = client.responses().retrieve(created.id());

		assertThat(outputText(created)).isNotBlank();
		assertThat(created.usage()).isPresent();
		assertThat(retrieved.id()).isEqualTo(created.id());
		assertThat(home.received()).extracting(RecordedRequest::path)
			.containsExactly("/openai/responses", "/openai/responses/" + created.id());
		assertThat(home.received()).extracting((request) -> request.queryParameter("api-version"))
			.containsOnly(RESPONSES_PREVIEW.value());
		assertThat(other(home).received()).isEmpty();
	}

	// In LEGACY mode the client puts the deployment into every path that has a model,
	// the Responses API's too (/openai/deployments/{model}/responses), which Azure does
	// not serve (openai/openai-java#586): the classic form is tested with chat here, and
	// the classic Responses path with the /openai base URL above.
	@Test
	void chatWhenTheClientUsesAzuresDeploymentPathsThenTheDeploymentsResourceAnswers() {
		OpenAIClient client = classic("client-legacy", AzureUrlPathMode.LEGACY);

		ChatCompletion completion = client.chat()
			.completions()
			.create(ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage("Hello?").build());

		assertThat(completion.choices()).hasSize(1);
		assertThat(completion.choices().get(0).message().content())
			.hasValueSatisfying((text) -> assertThat(text).isNotBlank());
		assertThat(completion.usage().orElseThrow().totalTokens()).isPositive();
		RecordedRequest received = onlyRequest(SIM_A);
		assertThat(received.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions");
		assertThat(received.queryParameter("api-version")).isEqualTo(GENERALLY_AVAILABLE.value());
		assertThat(SIM_B.received()).isEmpty();
	}

	// A client for the gateway's v1 API, as Azure's docs configure one for a resource's
	// /openai/v1 with an Entra token: a fresh token for each request.
	private OpenAIClient v1(String user) {
		return client((builder) -> builder.baseUrl("http://127.0.0.1:" + this.port + "/openai/v1")
			.azureUrlPathMode(AzureUrlPathMode.UNIFIED)
			.credential(BearerTokenCredential.create(() -> GatewayFixtures.ISSUER.mint(user))));
	}

	// A client for the gateway's classic Azure API under /openai, with an api-version.
	private OpenAIClient classic(String user, AzureUrlPathMode mode) {
		String baseUrl = "http://127.0.0.1:" + this.port + ((mode == AzureUrlPathMode.LEGACY) ? "" : "/openai");
		AzureOpenAIServiceVersion version = (mode == AzureUrlPathMode.LEGACY) ? GENERALLY_AVAILABLE : RESPONSES_PREVIEW;
		return client((builder) -> builder.baseUrl(baseUrl)
			.azureUrlPathMode(mode)
			.azureServiceVersion(version)
			.credential(BearerTokenCredential.create(() -> GatewayFixtures.ISSUER.mint(user))));
	}

	// A client that skips the gateway and calls a simulated resource with its key.
	private OpenAIClient directClient(AzureOpenAiSimulator simulator) {
		return client((builder) -> builder.baseUrl(simulator.baseUrl() + "/openai/v1")
			.azureUrlPathMode(AzureUrlPathMode.UNIFIED)
			.credential(AzureApiKeyCredential.create(key(simulator))));
	}

	private OpenAIClient client(Consumer<OpenAIOkHttpClient.Builder> customizer) {
		// No retries: a failure shows at once. Responses are validated lazily, field by
		// field, as in a user's app (the client's default).
		OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder().maxRetries(0).timeout(Duration.ofSeconds(30));
		customizer.accept(builder);
		OpenAIClient client = builder.build();
		this.clients.add(client);
		return client;
	}

	// The caller's home resource: where a new conversation of theirs is created.
	private static AzureOpenAiSimulator home(OpenAIClient client) {
		client.conversations().create();
		boolean onA = !SIM_A.received().isEmpty();
		boolean onB = !SIM_B.received().isEmpty();
		assertThat(onA ^ onB).as("the probe landed on exactly one resource").isTrue();
		SIM_A.clearReceived();
		SIM_B.clearReceived();
		return onA ? SIM_A : SIM_B;
	}

	// A stateful call's model is the deployment's name on the resource it lands on.
	private static ResponseCreateParams ask(AzureOpenAiSimulator on, String input) {
		return ResponseCreateParams.builder().model((on == SIM_A) ? "gpt-4o" : "gpt-4o-eu").input(input).build();
	}

	private static AzureOpenAiSimulator other(AzureOpenAiSimulator simulator) {
		return (simulator == SIM_A) ? SIM_B : SIM_A;
	}

	private static String key(AzureOpenAiSimulator simulator) {
		return (simulator == SIM_A) ? GatewayFixtures.KEY_A : GatewayFixtures.KEY_B;
	}

	private static RecordedRequest onlyRequest(AzureOpenAiSimulator simulator) {
		assertThat(simulator.received()).as("requests received by %s", simulator.name()).hasSize(1);
		return simulator.received().get(0);
	}

	private static String outputText(Response response) {
		return response.output()
			.stream()
			.flatMap((item) -> item.message().stream())
			.flatMap((message) -> message.content().stream())
			.flatMap((content) -> content.outputText().stream())
			.map(ResponseOutputText::text)
			.collect(Collectors.joining());
	}

	// An event as the client read it, written back as JSON to see its type and number.
	private static JsonNode json(ResponseStreamEvent event) {
		return ObjectMappers.jsonMapper().valueToTree(event);
	}

	private static List<Long> sequence(int size) {
		List<Long> numbers = new ArrayList<>();
		for (long number = 0; number < size; number++) {
			numbers.add(number);
		}
		return numbers;
	}

}
