package io.aoaigateway.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Timeouts through a running gateway, against backends that misbehave on purpose: one
 * that accepts calls and never answers ({@code hung}, priority 0 for {@code hung-first},
 * with {@code sim-b} behind it), and one ({@code stalls}, also the stateful backend) that
 * answers its headers and part of a body, then goes quiet, or throttles once first.
 * Bounds are derived from the settings below, with a margin for a busy machine.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class TimeoutIntegrationTests {

	static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);

	static final Duration GENERATION_TIMEOUT = Duration.ofSeconds(5);

	static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

	static final Duration MAX_COOLDOWN = Duration.ofSeconds(60);

	// Room for a busy machine (two cores shared by several builds); still shorter than
	// the gap between the attempt and the generation timeouts.
	static final Duration MARGIN = Duration.ofSeconds(3);

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final String FIRST_EVENT = "event: thread.run.created\n"
			+ "data: {\"id\":\"run_1\",\"object\":\"thread.run\",\"thread_id\":\"thread_1\"}\n\n";

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

	private static final String HELLO_STREAM = """
			{"messages":[{"role":"user","content":"Hello"}],"stream":true}""";

	private static final AtomicBoolean WARM = new AtomicBoolean();

	private static final Map<String, AtomicInteger> RECEIVED = new ConcurrentHashMap<>();

	private static final AtomicInteger OPEN_AT_HUNG = new AtomicInteger();

	// Accepts the connection and the request, never answers.
	private static final DisposableServer HUNG = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.doOnConnection((connection) -> {
			OPEN_AT_HUNG.incrementAndGet();
			connection.onDispose(OPEN_AT_HUNG::decrementAndGet);
		})
		.handle((request, response) -> {
			RECEIVED.computeIfAbsent("hung /" + request.path(), (key) -> new AtomicInteger()).incrementAndGet();
			return Mono.never();
		})
		.bindNow();

	private static final AtomicInteger OPEN_AT_STALLS = new AtomicInteger();

	private static final DisposableServer STALLS = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.doOnConnection((connection) -> {
			OPEN_AT_STALLS.incrementAndGet();
			connection.onDispose(OPEN_AT_STALLS::decrementAndGet);
		})
		.handle(TimeoutIntegrationTests::stall)
		.bindNow();

	@LocalServerPort
	int port;

	@Autowired
	CooldownStore cooldowns;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void pool(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.auth.jwk-set-uri", () -> ISSUER.jwkSetUri().toString());
		registry.add("aoai.auth.issuers", ISSUER::issuer);
		registry.add("aoai.affinity.backends[0]", () -> "stalls");
		registry.add("aoai.routing.backends[1].deployments[2].name", () -> "hung-first");
		registry.add("aoai.routing.backends[1].deployments[2].alias", () -> "gpt-4o-eu");
		registry.add("aoai.routing.backends[2].priority", () -> "0");
		GatewayFixtures.addBackend(registry, 2, "hung", () -> "http://127.0.0.1:" + HUNG.port(), "hung-first");
		registry.add("aoai.routing.backends[3].priority", () -> "5");
		GatewayFixtures.addBackend(registry, 3, "stalls", () -> "http://127.0.0.1:" + STALLS.port(),
				"stalled-json,unlabelled-stream");
		registry.add("aoai.failover.attempt-timeout", ATTEMPT_TIMEOUT::toString);
		registry.add("aoai.failover.generation-timeout", GENERATION_TIMEOUT::toString);
		registry.add("aoai.failover.time-budget", () -> "20s");
		registry.add("aoai.failover.stream-idle-timeout", IDLE_TIMEOUT::toString);
		registry.add("aoai.failover.body-idle-timeout", IDLE_TIMEOUT::toString);
		registry.add("aoai.failover.max-cooldown", MAX_COOLDOWN::toString);
	}

	@AfterAll
	static void stop() {
		HUNG.disposeNow();
		STALLS.disposeNow();
		ISSUER.close();
	}

	// Every test starts after all earlier cooldowns have ended, on a gateway that has
	// served a call (keys fetched, code warm), so that bounds measure timeouts only.
	@BeforeEach
	void freshPool() {
		if (WARM.compareAndSet(false, true)) {
			assertThat(call("/openai/deployments/gpt-4o/chat/completions", HELLO).status()).isEqualTo(200);
		}
		CLOCK.advance(Duration.ofHours(1));
		GatewayFixtures.reset();
		RECEIVED.clear();
	}

	@Test
	void hungBackendWhenStreamedCallThenHealthyBackendAnswersWithinTheAttemptTimeout() {
		Outcome outcome = call("/openai/deployments/hung-first/chat/completions", HELLO_STREAM);

		assertThat(outcome.status()).isEqualTo(200);
		assertThat(outcome.body()).contains("chat.completion.chunk").contains("[DONE]");
		assertThat(outcome.took()).isGreaterThanOrEqualTo(ATTEMPT_TIMEOUT).isLessThan(ATTEMPT_TIMEOUT.plus(MARGIN));
		assertThat(RECEIVED.get("hung /openai/deployments/hung-first/chat/completions")).hasValue(1);
		assertThat(SIM_B.received()).hasSize(1);
		assertThat(counter("aoai.gateway.failovers", "reason", "timeout", "backend", "hung")).isPositive();
		assertThat(eventually(OPEN_AT_HUNG::get, 0)).as("connections the hung backend still holds").isZero();
	}

	@Test
	void hungBackendWhenNonStreamedCallThenWaitsForTheGenerationTimeoutAndFailsOver() {
		Outcome outcome = call("/openai/deployments/hung-first/chat/completions", HELLO);

		assertThat(outcome.status()).isEqualTo(200);
		assertThat(outcome.body()).contains("\"object\":\"chat.completion\"");
		assertThat(outcome.took()).isGreaterThanOrEqualTo(GENERATION_TIMEOUT)
			.isLessThan(GENERATION_TIMEOUT.plus(MARGIN));
		assertThat(SIM_B.received()).hasSize(1);
	}

	@Test
	void statefulCreateWhenItsBackendHangsThenOne504AndNeverSentAgain() {
		Outcome outcome = call("/openai/threads", "{}");

		assertThat(outcome.status()).isEqualTo(504);
		assertThat(outcome.body()).contains("\"code\":\"504\"");
		assertThat(outcome.took()).isLessThan(ATTEMPT_TIMEOUT.plus(MARGIN));
		assertThat(RECEIVED.get("stalls POST /openai/threads")).hasValue(1);
	}

	@Test
	void jsonBodyWhenItStallsAfterTheHeadersThenCallerReleasedAndCallMetered() {
		double before = counter("aoai.gateway.idle.timeouts", "kind", "body");

		Outcome outcome = call("/openai/deployments/stalled-json/chat/completions", HELLO);

		assertThat(outcome.took()).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
		assertThat(outcome.ended()).as("the client sees the answer cut, not a complete one").isNotEqualTo("complete");
		assertThat(counter("aoai.gateway.idle.timeouts", "kind", "body")).isEqualTo(before + 1);
		assertThat(countedRequests("stalled-json")).isPositive();
		assertThat(eventually(OPEN_AT_STALLS::get, 0)).as("connections the stalled backend still holds").isZero();
	}

	// A JSON answer that the gateway holds back whole (it records where the created
	// object lives first) was never written at all, so no write-side timer could see it.
	@Test
	void heldJsonAnswerWhenItStallsThenThe504ComesWithinTheIdleTimeout() {
		Outcome outcome = call("/openai/assistants", "{\"model\":\"gpt-4o\"}");

		assertThat(outcome.status()).isEqualTo(504);
		assertThat(outcome.body()).contains("\"code\":\"504\"");
		assertThat(outcome.took()).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
	}

	// The cause of a stream idle timer that never fired: NettyWriteResponseFilter flushes
	// event by event, and the old timer watched, only streams labelled text/event-stream;
	// anything else went through writeWith, untimed.
	@Test
	void streamWhenNotLabelledAsOneAndItStallsThenStillEnded() {
		double before = counter("aoai.gateway.idle.timeouts", "kind", "body");

		Outcome outcome = call("/openai/deployments/unlabelled-stream/chat/completions", HELLO_STREAM);

		assertThat(outcome.took()).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
		assertThat(outcome.ended()).isNotEqualTo("complete");
		assertThat(counter("aoai.gateway.idle.timeouts", "kind", "body")).isEqualTo(before + 1);
	}

	// After a retry the answer lost its chunked framing (the throttled attempt's
	// Content-Length took it): a stream cut by the idle timer then ended like a complete
	// one, "Connection: close", and the client could not tell.
	@Test
	void streamAfterARetryWhenItStallsThenTheClientSeesItCutNotComplete() {
		double before = counter("aoai.gateway.idle.timeouts", "kind", "stream");

		Outcome outcome = call("/openai/threads/runs", "{\"assistant_id\":\"asst_1\",\"stream\":true}");

		assertThat(RECEIVED.get("stalls POST /openai/threads/runs")).hasValue(2);
		assertThat(outcome.status()).isEqualTo(200);
		assertThat(outcome.body()).contains("run_1");
		assertThat(outcome.ended()).isNotEqualTo("complete");
		assertThat(outcome.took()).isLessThan(IDLE_TIMEOUT.plus(MARGIN));
		assertThat(counter("aoai.gateway.idle.timeouts", "kind", "stream")).isEqualTo(before + 1);
	}

	@Test
	void retryAfterOfADayWhenThrottledThenDeploymentBenchedOnlyForTheCap() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofDays(1)));

		Outcome outcome = call("/openai/deployments/gpt-4o/chat/completions", HELLO);

		assertThat(outcome.status()).isEqualTo(200);
		Instant now = CLOCK.instant();
		Map<String, Instant> cooling = this.cooldowns.cooling(List.of("sim-a/gpt-4o"), now)
			.block(Duration.ofSeconds(5));
		assertThat(cooling).containsEntry("sim-a/gpt-4o", now.plus(MAX_COOLDOWN));
		CLOCK.advance(MAX_COOLDOWN.plusSeconds(1));
		SIM_A.clearReceived();
		assertThat(call("/openai/deployments/gpt-4o/chat/completions", HELLO).status()).isEqualTo(200);
		assertThat(SIM_A.received()).hasSize(1);
	}

	@Test
	void everyBackendThrottledForADayThenThe429PromisesNoMoreThanTheCap() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofDays(1)));
		SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ofDays(1)));

		Outcome outcome = call("/openai/deployments/gpt-4o/chat/completions", HELLO);

		assertThat(outcome.status()).isEqualTo(429);
		assertThat(outcome.headers().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("60");
		assertThat(outcome.headers().getFirst("retry-after-ms")).isEqualTo("60000");
	}

	private static org.reactivestreams.Publisher<Void> stall(HttpServerRequest request, HttpServerResponse response) {
		String key = "stalls " + request.method() + " /" + request.path();
		int seen = RECEIVED.computeIfAbsent(key, (ignored) -> new AtomicInteger()).incrementAndGet();
		Mono<Void> read = request.receive().then();
		return switch (request.path()) {
			case "openai/threads" -> read.then(Mono.never());
			case "openai/deployments/stalled-json/chat/completions",
					"openai/assistants" ->
				read.then(response.header("content-type", "application/json")
					.header("content-length", "400")
					.sendString(Flux.just("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[")
						.concatWith(Flux.never()))
					.then());
			case "openai/deployments/unlabelled-stream/chat/completions" ->
				read.then(response.header("content-type", "text/plain")
					.sendString(Flux.just(FIRST_EVENT).concatWith(Flux.never()))
					.then());
			case "openai/threads/runs" -> (seen == 1)
					? read.then(response.status(429)
						.header("content-type", "application/json")
						.header("retry-after-ms", "50")
						.sendString(Mono.just("{\"error\":{\"code\":\"429\",\"message\":\"Rate limit\"}}"))
						.then())
					: read.then(response.header("content-type", "text/event-stream; charset=utf-8")
						.sendString(Flux.just(FIRST_EVENT).concatWith(Flux.never()))
						.then());
			default -> read.then(response.status(404).send());
		};
	}

	// Posts a body with a valid token and reads the answer to its end, however it ends.
	private Outcome call(String path, String body) {
		long start = System.nanoTime();
		return TestClients.create("http://localhost:" + this.port)
			.post()
			.uri(path + "?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> {
				StringBuilder text = new StringBuilder();
				return response.bodyToFlux(String.class)
					.doOnNext(text::append)
					.then(Mono.just("complete"))
					.onErrorResume((ex) -> Mono.just("cut: " + ex.getClass().getSimpleName()))
					.map((ended) -> new Outcome(response.statusCode().value(), response.headers().asHttpHeaders(),
							text.toString(), ended, Duration.ofNanos(System.nanoTime() - start)));
			})
			.block(Duration.ofSeconds(30));
	}

	private double counter(String name, String... tags) {
		Counter counter = this.meters.find(name).tags(tags).counter();
		return (counter != null) ? counter.count() : 0;
	}

	// Waits, within a deadline, for a value to reach what is expected; returns the last
	// value seen.
	private static int eventually(IntSupplier value, int expected) {
		return Mono.fromCallable(value::getAsInt)
			.filter((seen) -> seen == expected)
			.repeatWhenEmpty(200, (attempts) -> attempts.delayElements(Duration.ofMillis(25)))
			.defaultIfEmpty(value.getAsInt())
			.block(Duration.ofSeconds(10));
	}

	// Metrics are recorded a moment after the client has seen the end: wait for them.
	private double countedRequests(String deployment) {
		return Mono
			.fromCallable(() -> this.meters.find("aoai.gateway.requests")
				.tag("deployment", deployment)
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum())
			.filter((count) -> count > 0)
			.repeatWhenEmpty(200, (attempts) -> attempts.delayElements(Duration.ofMillis(25)))
			.defaultIfEmpty(0.0)
			.block(Duration.ofSeconds(10));
	}

	/**
	 * What a client saw of one call.
	 *
	 * @param status the status
	 * @param headers the headers
	 * @param body the body as far as it came
	 * @param ended {@code complete}, or how it was cut
	 * @param took from sending the call to the end of its answer
	 */
	record Outcome(int status, HttpHeaders headers, String body, String ended, Duration took) {

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class StillClock {

		@Bean
		@Primary
		Clock stillClock() {
			return CLOCK;
		}

	}

}
