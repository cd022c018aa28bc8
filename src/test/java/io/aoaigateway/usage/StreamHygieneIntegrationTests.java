package io.aoaigateway.usage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long streams through a gateway whose usage option the gateway injected: the client gets
 * every event and no usage chunk, the usage is metered, and no buffer leaks when the
 * client leaves mid-stream or a backend's answer is discarded for failover (the leak
 * check fails the class otherwise).
 */
class StreamHygieneIntegrationTests {

	/** Content events in a long stream: about 12 MB of server-sent events. */
	private static final int CHUNKS = Integer.getInteger("hygiene.stream.chunks", 20_000);

	private static final String KEY = "key-of-sim-long";

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final Pattern OUTPUT_TOKENS = Pattern
		.compile("gen_ai_client_token_usage_sum\\{[^}]*gen_ai_token_type=\"output\"[^}]*} ([0-9.E]+)");

	private static final Pattern ACTIVE_STREAMS = Pattern
		.compile("aoai_gateway_streams_active(?:\\{[^}]*})? ([0-9.E]+)");

	private static AzureOpenAiSimulator longSimulator;

	private static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		longSimulator = AzureOpenAiSimulator
			.start(SimulatorSettings.defaults("sim-long", KEY, Set.of("gpt-4o")).withStreamChunks(CHUNKS));
		gateway = GatewayInstance.start(Map.of("aoai.routing.backends[0].url", longSimulator.baseUrl().toString(),
				"aoai.routing.backends[0].api-key", KEY));
	}

	@AfterAll
	static void stop() {
		if (gateway != null) {
			gateway.close();
		}
		if (longSimulator != null) {
			longSimulator.close();
		}
	}

	@BeforeEach
	void reset() {
		longSimulator.reset();
		GatewayFixtures.reset();
	}

	@Test
	void longStreamArrivesWholeWithoutTheInjectedUsageAndIsMetered() {
		double before = outputTokens();

		String stream = read(gateway.client());

		assertThat(stream).endsWith("data: [DONE]\n\n").doesNotContain("\"usage\"");
		// The first (prompt filter) chunk, one per word, the finish chunk and [DONE].
		assertThat(stream.split("\n\n")).hasSize(CHUNKS + 3);
		assertThat(longSimulator.received()).hasSize(1);
		assertThat(longSimulator.received().get(0).bodyAsString()).contains("\"include_usage\":true");
		awaitOutputTokens(before + CHUNKS);
	}

	@Test
	void slowReaderGetsTheWholeLongStreamWithItsEnd() {
		double before = outputTokens();

		String stream = slowRead(gateway.client());

		assertThat(stream).endsWith("data: [DONE]\n\n").doesNotContain("\"usage\"");
		assertThat(stream.split("\n\n")).hasSize(CHUNKS + 3);
		awaitOutputTokens(before + CHUNKS);
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void clientLeavingMidStreamLeaksNothingAndEndsTheCall(boolean clientAskedForUsage) {
		for (int call = 0; call < 3; call++) {
			Flux<DataBuffer> firstChunks = chat(gateway.client(), clientAskedForUsage).retrieve()
				.bodyToFlux(DataBuffer.class)
				.doOnNext(DataBufferUtils::release)
				.take(5 + 10 * call);

			StepVerifier.create(firstChunks.count()).expectNextCount(1).expectComplete().verify(Duration.ofMinutes(1));
		}
		// The gateway saw every client leave: no stream is left open.
		assertThat(scrape()).contains("aoai_gateway_streams_active");
		awaitMetric(ACTIVE_STREAMS, 0);
	}

	@Test
	void answersDiscardedForFailoverLeakNothing() {
		// A gateway of its own: the 503s open sim-a's circuit, which the other tests need
		// closed.
		try (GatewayInstance failingOver = GatewayInstance.start(Map.of("aoai.routing.backends[0].url",
				longSimulator.baseUrl().toString(), "aoai.routing.backends[0].api-key", KEY))) {
			for (int call = 0; call < 20; call++) {
				longSimulator.enqueue(ScriptedAnswer.status(503));

				String answer = failingOver.client()
					.post()
					.uri(CHAT)
					.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3}")
					.retrieve()
					.bodyToMono(String.class)
					.block(Duration.ofSeconds(30));

				assertThat(answer).contains("chat.completion");
			}
		}
		// The first answers were discarded; then sim-a's circuit opened and sim-b served.
		assertThat(longSimulator.received()).isNotEmpty();
		assertThat(GatewayFixtures.SIM_B.received()).hasSize(20);
	}

	// One buffer at a time, each handed over on another thread: the writer queues
	// what the backend sends meanwhile.
	private static String slowRead(WebClient client) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		chat(client).retrieve()
			.bodyToFlux(DataBuffer.class)
			.limitRate(1)
			.delayElements(Duration.ofNanos(1))
			.doOnNext((buffer) -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				all.writeBytes(bytes);
				DataBufferUtils.release(buffer);
			})
			.blockLast(Duration.ofMinutes(2));
		return all.toString(StandardCharsets.UTF_8);
	}

	private static String read(WebClient client) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		chat(client).retrieve().bodyToFlux(DataBuffer.class).doOnNext((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			all.writeBytes(bytes);
			DataBufferUtils.release(buffer);
		}).blockLast(Duration.ofMinutes(2));
		return all.toString(StandardCharsets.UTF_8);
	}

	private static WebClient.RequestHeadersSpec<?> chat(WebClient client) {
		return chat(client, false);
	}

	// When the client asks for the usage itself, the gateway only reads the stream.
	private static WebClient.RequestHeadersSpec<?> chat(WebClient client, boolean clientAsksForUsage) {
		return client.post()
			.uri(CHAT)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story\"}],\"stream\":true,"
					+ (clientAsksForUsage ? "\"stream_options\":{\"include_usage\":true}," : "") + "\"max_tokens\":"
					+ CHUNKS + "}");
	}

	private static double outputTokens() {
		return metric(OUTPUT_TOKENS);
	}

	private static String scrape() {
		return gateway.scrape();
	}

	private static double metric(Pattern series) {
		double sum = 0;
		Matcher matcher = series.matcher(scrape());
		while (matcher.find()) {
			sum += Double.parseDouble(matcher.group(1));
		}
		return sum;
	}

	// Metrics are recorded when the call ends, just after the client got its last byte.
	private static void awaitOutputTokens(double expected) {
		awaitMetric(OUTPUT_TOKENS, expected);
	}

	private static void awaitMetric(Pattern series, double expected) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (metric(series) != expected && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
		assertThat(metric(series)).isEqualTo(expected);
	}

}
