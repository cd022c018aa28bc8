package io.aoaigateway.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A paced stream reaches the client at the backend's pace: nothing in the gateway holds
 * events back until the stream ends.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class StreamingIntegrationTests {

	private static final int CHUNKS = 6;

	private static final Duration PACE = Duration.ofMillis(150);

	private static final AzureOpenAiSimulator PACED = AzureOpenAiSimulator
		.start(SimulatorSettings.defaults("sim-paced", "key-of-sim-paced", Set.of("gpt-4o"))
			.withStreamChunks(CHUNKS)
			.withStreamPace(PACE));

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void pacedBackend(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.affinity.backends[0]", () -> "sim-paced");
		registry.add("aoai.routing.backends[0].name", () -> "sim-paced");
		registry.add("aoai.routing.backends[0].url", () -> PACED.baseUrl().toString());
		registry.add("aoai.routing.backends[0].api-key", () -> "key-of-sim-paced");
		registry.add("aoai.routing.backends[0].deployments", () -> "gpt-4o");
	}

	@AfterAll
	static void stopBackend() {
		PACED.close();
	}

	@Test
	void eventsArriveAtTheBackendsPace() {
		List<Long> arrivals = new ArrayList<>();
		List<String> events = new ArrayList<>();
		Flux<ServerSentEvent<String>> stream = TestClients.create("http://localhost:" + this.port)
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Tell me a story"}],"stream":true}""")
			.retrieve()
			.bodyToFlux(new ParameterizedTypeReference<>() {
			});

		stream.doOnNext((event) -> {
			arrivals.add(System.nanoTime());
			events.add(event.data());
		}).blockLast(Duration.ofSeconds(30));

		assertThat(events).hasSize(CHUNKS + 3).last().isEqualTo("[DONE]");
		// The backend sends event i i paces after the first; a buffering gateway would
		// deliver them all at once at the end. So event i cannot arrive earlier than i
		// paces after the first, less one pace for the first event's own delay
		// (scheduling
		// jitter must not fail the test, buffering must).
		for (int i = 2; i < arrivals.size(); i++) {
			assertThat(Duration.ofNanos(arrivals.get(i) - arrivals.get(0))).as("arrival of event %d", i)
				.isGreaterThanOrEqualTo(PACE.multipliedBy(i - 1));
		}
	}

}
