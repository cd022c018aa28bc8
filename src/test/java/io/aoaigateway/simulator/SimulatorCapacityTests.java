package io.aoaigateway.simulator;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.aoaigateway.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.aoaigateway.simulator.SimulatorFixtures.API_VERSION;
import static io.aoaigateway.simulator.SimulatorFixtures.KEY;
import static io.aoaigateway.simulator.SimulatorFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Scripted capacity: deployments that admit a number of calls and estimated tokens per
 * window of the simulator's clock, refuse more with Azure's 429, change and throttle
 * while running, and answer after a latency.
 */
class SimulatorCapacityTests {

	// 10 s into a minute, so a minute window resets 50 s later.
	private static final Instant START = Instant.parse("2026-01-01T00:00:10Z");

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions" + API_VERSION;

	private static final String EMBEDDINGS = "/openai/deployments/text-embedding-3-small/embeddings" + API_VERSION;

	// 32 characters and max_tokens 40: an estimate of 32 / 4 + 40 = 48 tokens.
	private static final String CHAT_48 = "{\"messages\":[{\"role\":\"user\",\"content\":\"abcdabcdabcdabcdabcdabcdabcdabcd\"}],"
			+ "\"max_tokens\":40}";

	private final FakeClock clock = new FakeClock(START);

	private AzureOpenAiSimulator simulator;

	private SimulatorFixtures.Client client;

	@AfterEach
	void stop() {
		if (this.simulator != null) {
			this.simulator.close();
		}
	}

	private void start(Function<SimulatorSettings, SimulatorSettings> customizer) {
		this.simulator = AzureOpenAiSimulator
			.start(customizer.apply(SimulatorFixtures.settings().withClock(this.clock)));
		this.client = SimulatorFixtures.client(this.simulator);
	}

	@Test
	void chatWhenRequestLimitReachedThen429UntilTheWindowOfTheClockResets() throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", 2, Capacity.UNLIMITED));

		HttpResponse<String> first = this.client.post(CHAT, CHAT_48);
		HttpResponse<String> second = this.client.post(CHAT, CHAT_48);
		HttpResponse<String> third = this.client.post(CHAT, CHAT_48);

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(header(first, "x-ratelimit-limit-requests")).isEqualTo("2");
		assertThat(header(first, "x-ratelimit-remaining-requests")).isEqualTo("1");
		assertThat(second.statusCode()).isEqualTo(200);
		assertThat(header(second, "x-ratelimit-remaining-requests")).isEqualTo("0");
		// Without a token limit, the token headers stay the report-only ones.
		assertThat(header(second, "x-ratelimit-limit-tokens")).isEqualTo(String.valueOf(RateLimits.TOKENS_PER_MINUTE));
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(header(third, "retry-after-ms")).isEqualTo("50000");
		assertThat(header(third, "retry-after")).isEqualTo("50");
		assertThat(json(third).at("/error/message").stringValue()).contains("exceeded call rate limit",
				"Please retry after 50 seconds.");

		this.clock.advance(Duration.ofSeconds(49).plusMillis(999));
		HttpResponse<String> lastMillisecond = this.client.post(CHAT, CHAT_48);
		this.clock.advance(Duration.ofMillis(1));
		HttpResponse<String> nextWindow = this.client.post(CHAT, CHAT_48);

		assertThat(lastMillisecond.statusCode()).isEqualTo(429);
		assertThat(header(lastMillisecond, "retry-after-ms")).isEqualTo("1");
		assertThat(header(lastMillisecond, "retry-after")).isEqualTo("1");
		assertThat(nextWindow.statusCode()).isEqualTo(200);
		assertThat(header(nextWindow, "x-ratelimit-remaining-requests")).isEqualTo("1");
		DeploymentCapacity capacity = this.simulator.capacity("gpt-4o");
		assertThat(capacity.admitted()).isEqualTo(3);
		assertThat(capacity.refused()).isEqualTo(2);
	}

	@Test
	void chatWhenTokenLimitWouldBeExceededThenAzure429BeforeGeneratingWithTheBodyAndHeadersAzureSends()
			throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", Capacity.UNLIMITED, 100));

		HttpResponse<String> first = this.client.post(CHAT, CHAT_48);
		HttpResponse<String> second = this.client.post(CHAT, CHAT_48);
		HttpResponse<String> third = this.client.post(CHAT, CHAT_48);

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(header(first, "x-ratelimit-limit-tokens")).isEqualTo("100");
		assertThat(header(first, "x-ratelimit-remaining-tokens")).isEqualTo("52");
		assertThat(header(second, "x-ratelimit-remaining-tokens")).isEqualTo("4");
		assertThat(header(second, "x-ratelimit-limit-requests"))
			.isEqualTo(String.valueOf(RateLimits.REQUESTS_PER_MINUTE));
		assertThat(third.statusCode()).isEqualTo(429);
		assertThat(header(third, "content-type")).isEqualTo("application/json");
		assertThat(header(third, "retry-after-ms")).isEqualTo("50000");
		assertThat(header(third, "retry-after")).isEqualTo("50");
		assertThat(header(third, "x-ratelimit-remaining-tokens")).isEqualTo("4");
		assertThat(header(third, "apim-request-id")).isNotBlank();
		JsonNode error = json(third).get("error");
		assertThat(error.propertyNames()).containsExactlyInAnyOrder("code", "message");
		assertThat(error.get("code").stringValue()).isEqualTo("429");
		assertThat(error.get("message").stringValue())
			.isEqualTo("Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 "
					+ "have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 50 "
					+ "seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further "
					+ "increase the default rate limit.");
		// A smaller call still fits in what is left: 4 characters and max_tokens 3.
		HttpResponse<String> small = this.client.post(CHAT,
				"{\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"}],\"max_tokens\":3}");
		assertThat(small.statusCode()).isEqualTo(200);
		assertThat(header(small, "x-ratelimit-remaining-tokens")).isEqualTo("0");
	}

	@Test
	void estimateWhenNoMaxTokensThenDefaultIsCharged() {
		assertThat(Capacity.estimate("abcde", null)).isEqualTo(2 + Capacity.DEFAULT_MAX_TOKENS);
		assertThat(Capacity.estimate("abcd", 7)).isEqualTo(8);
		assertThat(Capacity.estimate("", 0)).isZero();
	}

	@Test
	void chatWhen200ConcurrentCallsAgainst50ThenExactly50Admitted() throws Exception {
		// The latency keeps admitted calls in flight while the others arrive.
		start((settings) -> settings.withCapacity("gpt-4o", 50, Capacity.UNLIMITED)
			.withLatency(Duration.ofMillis(200)));
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			calls.add(http.sendAsync(chat(CHAT_48), BodyHandlers.ofString()));
		}

		CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

		Map<Integer, Long> statuses = calls.stream()
			.map(CompletableFuture::join)
			.collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
		assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(200, 50L, 429, 150L));
		List<String> remaining = calls.stream()
			.map(CompletableFuture::join)
			.filter((response) -> response.statusCode() == 200)
			.map((response) -> header(response, "x-ratelimit-remaining-requests"))
			.sorted()
			.toList();
		assertThat(remaining).doesNotHaveDuplicates().hasSize(50);
		DeploymentCapacity capacity = this.simulator.capacity("gpt-4o");
		assertThat(capacity.admitted()).isEqualTo(50);
		assertThat(capacity.refused()).isEqualTo(150);
		assertThat(capacity.remainingRequests()).isZero();
		assertThat(this.simulator.received()).hasSize(200);
	}

	@Test
	void admitWhenThreadsRaceInTightLoopsThenExactlyTheLimitIsAdmitted() throws Exception {
		// The HTTP test above races only the server's few event loops, too seldom to lose
		// an update; four threads admitting in tight loops, two million times in all, do.
		int threadCount = 4;
		int attempts = 500_000;
		long limit = (long) threadCount * attempts / 2;
		DeploymentCapacity capacity = new DeploymentCapacity("gpt-4o", Capacity.perMinute(limit, limit * 2),
				this.clock);
		ExecutorService threads = Executors.newFixedThreadPool(threadCount);
		try {
			CountDownLatch gate = new CountDownLatch(1);
			List<Future<Long>> racers = new ArrayList<>();
			for (int thread = 0; thread < threadCount; thread++) {
				racers.add(threads.submit(() -> {
					gate.await();
					long admitted = 0;
					for (int attempt = 0; attempt < attempts; attempt++) {
						admitted += capacity.admit(1).admitted() ? 1 : 0;
					}
					return admitted;
				}));
			}
			gate.countDown();
			long admitted = 0;
			for (Future<Long> racer : racers) {
				admitted += racer.get(60, TimeUnit.SECONDS);
			}

			assertThat(admitted).isEqualTo(limit);
			assertThat(capacity.admitted()).isEqualTo(limit);
			assertThat(capacity.refused()).isEqualTo(limit);
			assertThat(capacity.remainingRequests()).isZero();
			assertThat(capacity.remainingTokens()).isEqualTo(limit);
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void streamWhenOverCapacityThenRefusedWithJsonBeforeAnyEventAndWhenAdmittedThenHeaders() throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", 1, Capacity.UNLIMITED));
		String stream = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

		HttpResponse<String> admitted = this.client.post(CHAT, stream);
		HttpResponse<String> refusedChat = this.client.post(CHAT, stream);
		HttpResponse<String> refusedCompletions = this.client
			.post("/openai/deployments/gpt-4o/completions" + API_VERSION, "{\"stream\":true,\"prompt\":\"hi\"}");
		HttpResponse<String> refusedResponses = this.client.post("/openai/v1/responses",
				"{\"model\":\"gpt-4o\",\"stream\":true,\"input\":\"hi\"}");

		assertThat(admitted.statusCode()).isEqualTo(200);
		assertThat(header(admitted, "content-type")).startsWith("text/event-stream");
		assertThat(header(admitted, "x-ratelimit-remaining-requests")).isEqualTo("0");
		assertThat(List.of(refusedChat, refusedCompletions, refusedResponses)).allSatisfy((refused) -> {
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(header(refused, "content-type")).isEqualTo("application/json");
			assertThat(refused.body()).doesNotContain("data:");
			assertThat(json(refused).at("/error/code").stringValue()).isEqualTo("429");
		});
		assertThat(json(refusedCompletions).at("/error/message").stringValue()).contains("Completions_Create")
			.doesNotContain("ChatCompletions_Create");
		assertThat(json(refusedResponses).at("/error/message").stringValue()).contains("Responses_Create");
	}

	@Test
	void everyInferenceOperationWhenCalledThenCountedOnItsDeployment() throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", 5, Capacity.UNLIMITED)
			.withCapacity("text-embedding-3-small", 1, Capacity.UNLIMITED));

		List<Integer> statuses = List.of(this.client.post(CHAT, CHAT_48).statusCode(),
				this.client.post("/openai/deployments/gpt-4o/completions" + API_VERSION, "{\"prompt\":\"hi\"}")
					.statusCode(),
				this.client
					.post("/openai/v1/chat/completions",
							"{\"model\":\"gpt-4o\",\"messages\":[{\"role\":" + "\"user\",\"content\":\"hi\"}]}")
					.statusCode(),
				this.client.post("/openai/v1/responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\"}").statusCode(),
				this.client
					.post("/models/chat/completions",
							"{\"model\":\"gpt-4o\",\"messages\":[{\"role\":" + "\"user\",\"content\":\"hi\"}]}")
					.statusCode(),
				this.client.post(CHAT, CHAT_48).statusCode());
		HttpResponse<String> embedding = this.client.post(EMBEDDINGS, "{\"input\":\"hi\"}");
		HttpResponse<String> refusedEmbedding = this.client.post(EMBEDDINGS, "{\"input\":\"hi\"}");

		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429);
		assertThat(embedding.statusCode()).isEqualTo(200);
		assertThat(refusedEmbedding.statusCode()).isEqualTo(429);
		assertThat(json(refusedEmbedding).at("/error/message").stringValue()).contains("Embeddings_Create");
		assertThat(this.simulator.capacity("gpt-4o").admitted()).isEqualTo(5);
		assertThat(this.simulator.capacity("text-embedding-3-small").refused()).isEqualTo(1);
	}

	@Test
	void throttleWhenScriptedThenEveryCall429WithTheTimeLeftUntilItEnds() throws Exception {
		// No capacity in the settings: the throttle alone refuses.
		start((settings) -> settings);
		DeploymentCapacity capacity = this.simulator.capacity("gpt-4o");
		capacity.throttleFor(Duration.ofSeconds(30));

		HttpResponse<String> first = this.client.post(CHAT, CHAT_48);
		this.clock.advance(Duration.ofMillis(12_500));
		HttpResponse<String> later = this.client.post(CHAT, CHAT_48);
		HttpResponse<String> otherDeployment = this.client.post(EMBEDDINGS, "{\"input\":\"hi\"}");
		this.clock.advance(Duration.ofMillis(17_500));
		HttpResponse<String> after = this.client.post(CHAT, CHAT_48);

		assertThat(first.statusCode()).isEqualTo(429);
		assertThat(header(first, "retry-after-ms")).isEqualTo("30000");
		assertThat(header(first, "retry-after")).isEqualTo("30");
		assertThat(header(first, "x-ratelimit-remaining-requests")).isEqualTo("0");
		assertThat(later.statusCode()).isEqualTo(429);
		assertThat(header(later, "retry-after-ms")).isEqualTo("17500");
		assertThat(header(later, "retry-after")).isEqualTo("18");
		assertThat(json(later).at("/error/message").stringValue()).contains("Please retry after 18 seconds.");
		assertThat(otherDeployment.statusCode()).isEqualTo(200);
		assertThat(after.statusCode()).isEqualTo(200);
		// Without limits, the headers are the report-only ones.
		assertThat(header(after, "x-ratelimit-limit-tokens")).isEqualTo(String.valueOf(RateLimits.TOKENS_PER_MINUTE));
		assertThat(capacity.refused()).isEqualTo(2);
		assertThat(capacity.admitted()).isEqualTo(1);

		capacity.exhaustUntil(START.plusSeconds(3600));
		assertThat(this.client.post(CHAT, CHAT_48).statusCode()).isEqualTo(429);
		capacity.throttleFor(Duration.ZERO);
		assertThat(this.client.post(CHAT, CHAT_48).statusCode()).isEqualTo(200);
	}

	@Test
	void capacityWhenSetWhileRunningThenNextCallsSeeTheNewLimitsAndResetRestoresTheSettings() throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", 10, 1000));
		DeploymentCapacity capacity = this.simulator.capacity("gpt-4o");
		assertThat(this.client.post(CHAT, CHAT_48).statusCode()).isEqualTo(200);

		capacity.set(1, Capacity.UNLIMITED);
		HttpResponse<String> refused = this.client.post(CHAT, CHAT_48);
		capacity.set(Capacity.UNLIMITED, Capacity.UNLIMITED);
		HttpResponse<String> unlimited = this.client.post(CHAT, CHAT_48);

		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(header(refused, "x-ratelimit-limit-requests")).isEqualTo("1");
		assertThat(unlimited.statusCode()).isEqualTo(200);
		assertThat(header(unlimited, "x-ratelimit-limit-requests"))
			.isEqualTo(String.valueOf(RateLimits.REQUESTS_PER_MINUTE));
		assertThat(capacity.limits()).isEqualTo(Capacity.NONE);

		this.simulator.reset();

		assertThat(capacity.limits()).isEqualTo(Capacity.perMinute(10, 1000));
		assertThat(capacity.admitted()).isZero();
		assertThat(capacity.refused()).isZero();
		assertThat(capacity.remainingRequests()).isEqualTo(10);
		assertThat(capacity.remainingTokens()).isEqualTo(1000);
	}

	@Test
	void windowWhenShorterThanAMinuteThenAlignedToTheClock() throws Exception {
		this.clock.advance(Duration.ofMillis(250));
		start((settings) -> settings.withCapacity("gpt-4o",
				new Capacity(1, Capacity.UNLIMITED, Duration.ofSeconds(1))));

		assertThat(this.client.post(CHAT, CHAT_48).statusCode()).isEqualTo(200);
		HttpResponse<String> refused = this.client.post(CHAT, CHAT_48);
		this.clock.advance(Duration.ofMillis(750));

		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(header(refused, "retry-after-ms")).isEqualTo("750");
		assertThat(header(refused, "retry-after")).isEqualTo("1");
		assertThat(this.client.post(CHAT, CHAT_48).statusCode()).isEqualTo(200);
	}

	@Test
	void latencyWhenSetThenSuccessfulAnswersWaitWithoutHoldingThreadsAndRefusalsDoNot() throws Exception {
		start((settings) -> settings.withCapacity("gpt-4o", 8, Capacity.UNLIMITED).withLatency(Duration.ofSeconds(3)));
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		long sent = System.nanoTime();
		List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			admitted.add(http.sendAsync(chat(CHAT_48), BodyHandlers.ofString()));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.simulator.capacity("gpt-4o").admitted() == 8);

		// More calls wait than the server has event loops (at least 4), yet a ninth is
		// refused at once: the waiting holds no thread.
		HttpResponse<String> refused = http.send(chat(CHAT_48), BodyHandlers.ofString());

		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(admitted).noneMatch(CompletableFuture::isDone);
		CompletableFuture.allOf(admitted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		assertThat(admitted).allSatisfy((call) -> assertThat(call.join().statusCode()).isEqualTo(200));
		assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void recordedRequestWhenReceivedThenCarriesItsArrivalOnTheSimulatorClock() throws Exception {
		start((settings) -> settings);

		this.client.post(CHAT, CHAT_48);
		this.clock.advance(Duration.ofSeconds(5));
		this.client.post(CHAT, CHAT_48);

		List<RecordedRequest> received = this.simulator.received();
		assertThat(received).extracting(RecordedRequest::arrivedAt).containsExactly(START, START.plusSeconds(5));
		assertThat(received.get(1).arrivedNanos()).isGreaterThan(received.get(0).arrivedNanos());
	}

	@Test
	void settingsWhenCapacityInvalidOrForAnUnhostedDeploymentThenRejected() {
		SimulatorSettings settings = SimulatorFixtures.settings();

		assertThatIllegalArgumentException().isThrownBy(() -> settings.withCapacity("gpt-35", 1, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> Capacity.perMinute(-2, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> new Capacity(1, 1, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withLatency(Duration.ofMillis(-1)));
		assertThat(settings.capacities()).isEmpty();
		assertThat(settings.latency()).isZero();
		assertThat(settings.withCapacity(Capacity.perMinute(3, 4)).capacities())
			.containsOnlyKeys(new LinkedHashSet<>(settings.deployments()))
			.containsValue(Capacity.perMinute(3, 4));
	}

	@Test
	void capacityWhenDeploymentNotHostedThenRejected() {
		start((settings) -> settings);

		assertThatIllegalArgumentException().isThrownBy(() -> this.simulator.capacity("gpt-35"));
		assertThat(this.simulator.capacity("whisper").limits()).isEqualTo(Capacity.NONE);
	}

	@Test
	void mainOptionsWhenCapacityAndLatencyGivenThenEveryDeploymentHasThem() {
		SimulatorSettings settings = SimulatorMain.Options
			.parse("--api-key=k", "--deployments=gpt-4o,mini", "--capacity-requests=50", "--capacity-tokens=9000",
					"--capacity-window=1s", "--latency=20ms")
			.settings();
		SimulatorSettings tokensOnly = SimulatorMain.Options.parse("--api-key=k", "--capacity-tokens=10").settings();
		SimulatorSettings plain = SimulatorMain.Options.parse("--api-key=k").settings();

		Capacity expected = new Capacity(50, 9000, Duration.ofSeconds(1));
		assertThat(settings.capacities()).isEqualTo(Map.of("gpt-4o", expected, "mini", expected));
		assertThat(settings.latency()).isEqualTo(Duration.ofMillis(20));
		assertThat(tokensOnly.capacities())
			.isEqualTo(Map.of("gpt-4o", new Capacity(Capacity.UNLIMITED, 10, Capacity.DEFAULT_WINDOW)));
		assertThat(plain.capacities()).isEmpty();
		assertThat(plain.latency()).isZero();
	}

	private HttpRequest chat(String body) {
		return HttpRequest.newBuilder(this.simulator.baseUrl().resolve(CHAT))
			.timeout(Duration.ofSeconds(30))
			.header("api-key", KEY)
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(body))
			.build();
	}

	private static String header(HttpResponse<String> response, String name) {
		return response.headers().firstValue(name).orElse(null);
	}

}
