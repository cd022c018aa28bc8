package io.aoaigateway.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover through a running gateway: {@code sim-a} (priority 0) and {@code sim-b}
 * (priority 1) both serve {@code gpt-4o}; a dead backend, a backend that breaks its
 * streams and a slow one serve other deployments with {@code sim-b} behind them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class FailoverIntegrationTests {

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

	// Answers a stream's first event, then dies.
	private static final DisposableServer BREAKS_STREAMS = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.handle((request, response) -> request.receive()
			.then()
			.then(response.header("content-type", "text/event-stream")
				.sendString(Flux.just("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n")
					.concatWith(Flux.error(new IllegalStateException("backend died"))))
				.then()))
		.bindNow();

	private static final AzureOpenAiSimulator SLOW = AzureOpenAiSimulator
		.start(SimulatorSettings.defaults("sim-slow", "key-of-sim-slow", Set.of("slow-model"))
			.withStreamChunks(6)
			.withStreamPace(Duration.ofMillis(800)));

	private static final int DEAD_PORT = closedPort();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void pool(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.auth.jwk-set-uri", () -> ISSUER.jwkSetUri().toString());
		registry.add("aoai.auth.issuers", ISSUER::issuer);
		// sim-b also serves the other deployments, under its own names.
		registry.add("aoai.routing.backends[1].deployments[2].name", () -> "flaky-model");
		registry.add("aoai.routing.backends[1].deployments[2].alias", () -> "gpt-4o-eu");
		registry.add("aoai.routing.backends[1].deployments[3].name", () -> "dead-first");
		registry.add("aoai.routing.backends[1].deployments[3].alias", () -> "gpt-4o-eu");
		GatewayFixtures.addBackend(registry, 2, "breaks-streams", () -> "http://127.0.0.1:" + BREAKS_STREAMS.port(),
				"flaky-model");
		GatewayFixtures.addBackend(registry, 3, "dead", () -> "http://127.0.0.1:" + DEAD_PORT, "dead-first");
		GatewayFixtures.addBackend(registry, 4, "sim-slow", () -> SLOW.baseUrl().toString(), "slow-model");
		registry.add("aoai.failover.stream-idle-timeout", () -> "300ms");
	}

	@AfterAll
	static void stop() {
		BREAKS_STREAMS.disposeNow();
		SLOW.close();
		ISSUER.close();
	}

	// Every test starts after all earlier cooldowns have ended.
	@BeforeEach
	void freshPool() {
		CLOCK.advance(Duration.ofHours(1));
		GatewayFixtures.reset();
	}

	@Test
	void throttledWhenAnotherBackendServesThenClientSeesOnlyTheSuccess() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(30)));

		ResponseEntity<String> answer = post(CHAT, HELLO);

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(answer.getHeaders().getFirst("x-ms-region")).isEqualTo("westeurope");
		assertThat(answer.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
		assertThat(answer.getBody()).contains("chat.completion").doesNotContain("429");
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_B.received()).hasSize(1);
		assertThat(SIM_B.received().get(0).bodyAsString()).contains("Hello");
	}

	@Test
	void coolingBackendWhenBeforeItsDeadlineThenReceivesNoCall() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(30)));
		post(CHAT, HELLO);
		SIM_A.clearReceived();

		CLOCK.advance(Duration.ofSeconds(29));
		assertThat(post(CHAT, HELLO).getStatusCode().value()).isEqualTo(200);
		assertThat(SIM_A.received()).isEmpty();

		CLOCK.advance(Duration.ofSeconds(2));
		assertThat(post(CHAT, HELLO).getStatusCode().value()).isEqualTo(200);
		assertThat(SIM_A.received()).hasSize(1);
	}

	@Test
	void everyBackendThrottledThenOne429WithTheSoonestRetryAfter() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(20)));
		SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(5)));

		ResponseEntity<String> first = post(CHAT, HELLO);
		ResponseEntity<String> second = post(CHAT, HELLO);

		assertThat(first.getStatusCode().value()).isEqualTo(429);
		assertThat(first.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
		assertThat(first.getHeaders().getFirst("retry-after-ms")).isEqualTo("5000");
		assertThat(first.getBody()).contains("\"code\":\"429\"").contains("'gpt-4o'");
		assertThat(second.getStatusCode().value()).isEqualTo(429);
		assertThat(second.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_B.received()).hasSize(1);
	}

	@Test
	void everyBackendThrottledWithoutBackOffThenStillOne429NotA503() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ZERO));
		SIM_B.enqueue(ScriptedAnswer.throttled(Duration.ZERO));

		ResponseEntity<String> answer = post(CHAT, HELLO);

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_B.received()).hasSize(1);
	}

	@Test
	void serverErrorWhenAnotherBackendServesThenFailsOver() {
		SIM_A.enqueue(ScriptedAnswer.status(503));

		assertThat(post(CHAT, HELLO).getStatusCode().value()).isEqualTo(200);
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_B.received()).hasSize(1);
	}

	@Test
	void refusedConnectionWhenAnotherBackendServesThenFailsOver() {
		ResponseEntity<String> answer = post("/openai/deployments/dead-first/chat/completions?api-version=2024-10-21",
				HELLO);

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(SIM_B.received()).hasSize(1);
		assertThat(SIM_B.received().get(0).path()).isEqualTo("/openai/deployments/gpt-4o-eu/chat/completions");
	}

	@Test
	void circuitWhenBackendKeepsFailingThenOpensAndShowsInMetrics() {
		for (int i = 0; i < 6; i++) {
			assertThat(post("/openai/deployments/dead-first/chat/completions?api-version=2024-10-21", HELLO)
				.getStatusCode()
				.value()).isEqualTo(200);
		}

		String scrape = client().get()
			.uri("/actuator/prometheus")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
		assertThat(scrape).contains("resilience4j_circuitbreaker_state{name=\"dead\",state=\"open\"} 1.0");
	}

	@Test
	void contentFilterRefusalWhenReturnedThenNotRetried() {
		SIM_A.enqueue(ScriptedAnswer.contentFilter());

		ResponseEntity<String> answer = post(CHAT, HELLO);

		assertThat(answer.getStatusCode().value()).isEqualTo(400);
		assertThat(answer.getBody()).contains("content_filter");
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void streamBrokenAfterItsFirstEventThenNotRetried() {
		List<String> events = streamEvents("flaky-model");

		assertThat(events).hasSizeLessThanOrEqualTo(1);
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void statefulCallWhenOwnerThrottlesBrieflyThenWaitsForItAndIsNeverReplaced() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(100)));

		ResponseEntity<String> answer = post("/openai/threads?api-version=2024-10-21", "{}");

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(answer.getBody()).contains("\"object\":\"thread\"");
		assertThat(SIM_A.received()).hasSize(2);
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void statefulCallWhenOwnerThrottlesLongThenItsAnswerPassesThrough() {
		SIM_A.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(60)));

		ResponseEntity<String> answer = post("/openai/threads?api-version=2024-10-21", "{}");

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("60");
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void streamWhenBackendGoesQuietThenCutAfterTheIdleTimeout() {
		List<String> events = streamEvents("slow-model");

		// The first event comes at once; the next would come 800 ms later, after the
		// 300 ms idle timeout.
		assertThat(events).hasSize(1).doesNotContain("[DONE]");
	}

	// The events a stream delivered before it ended, however it ended.
	private List<String> streamEvents(String deployment) {
		return client().post()
			.uri("/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}],"stream":true}""")
			.retrieve()
			.bodyToFlux(String.class)
			.onErrorResume((ex) -> Flux.empty())
			.collectList()
			.block(Duration.ofSeconds(20));
	}

	private ResponseEntity<String> post(String path, String body) {
		return client().post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.defaultIfEmpty(ResponseEntity.internalServerError().build())
			.block(Duration.ofSeconds(30));
	}

	private WebClient client() {
		return TestClients.create("http://localhost:" + this.port);
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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
