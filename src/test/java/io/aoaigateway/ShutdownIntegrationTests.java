package io.aoaigateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Kubernetes relies on at SIGTERM: the gateway stops taking calls at once and lets
 * the streams in flight finish.
 */
class ShutdownIntegrationTests {

	private static final int CHUNKS = 8;

	@Test
	void shutdownWhenStreamsAreInFlightThenTheyFinishAndNewCallsAreRefused() throws Exception {
		try (AzureOpenAiSimulator paced = AzureOpenAiSimulator
			.start(SimulatorSettings.defaults("sim-paced", "key-of-sim-paced", Set.of("gpt-4o"))
				.withStreamChunks(CHUNKS)
				.withStreamPace(Duration.ofMillis(250)))) {
			GatewayInstance gateway = GatewayInstance.start(Map.of("aoai.routing.backends[0].url",
					paced.baseUrl().toString(), "aoai.routing.backends[0].api-key", "key-of-sim-paced",
					"aoai.routing.backends[0].deployments", "gpt-4o"));
			int port = gateway.port();
			List<String> events = new CopyOnWriteArrayList<>();
			Mono<List<String>> stream = gateway.client()
				.post()
				.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
				.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("alice")))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"stream\":true}")
				.retrieve()
				.bodyToFlux(String.class)
				.doOnNext(events::add)
				.collectList()
				.cache();
			stream.subscribe();
			awaitTrue(() -> !events.isEmpty());

			Thread shutdown = new Thread(gateway::close, "shutdown");
			shutdown.start();
			awaitTrue(() -> refused(port));
			int receivedWhenRefusing = events.size();

			List<String> received = stream.block(Duration.ofSeconds(30));
			shutdown.join(30_000);
			// New calls were refused while the stream was still arriving, and it still
			// arrived whole.
			assertThat(receivedWhenRefusing).isLessThan(CHUNKS + 3);
			assertThat(received).hasSize(CHUNKS + 3).last().isEqualTo("[DONE]");
			assertThat(shutdown.isAlive()).isFalse();
		}
	}

	// A new connection: a pooled one would be a call already admitted.
	private static boolean refused(int port) {
		WebClient fresh = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.newConnection()))
			.baseUrl("http://localhost:" + port)
			.build();
		return fresh.get()
			.uri("/actuator/health")
			.retrieve()
			.toBodilessEntity()
			.map((answer) -> false)
			.onErrorReturn(true)
			.blockOptional(Duration.ofSeconds(5))
			.orElse(true);
	}

	private static void awaitTrue(BooleanSupplier condition) {
		Eventually.eventually(condition::getAsBoolean, Boolean::booleanValue, Duration.ofSeconds(15));
	}

}
