package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.routing.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.Eventually.eventually;
import static io.aoaigateway.affinity.AffinityFixtures.backend;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Looking for an unknown object on backends that are real local HTTP servers: one that
 * has it, ones that do not, one that never answers, one that refuses connections.
 */
class OwnerDiscoveryTests {

	private static final String THREAD = "/openai/threads/thread_1";

	private static final String QUERY = "api-version=2024-10-01-preview";

	private static final Duration WAIT = Duration.ofSeconds(10);

	// One client for the class, its first connection (slow on a cold JVM) made up front,
	// so that the timeout tests time the backends, not the client's start.
	private static final WebClient CLIENT = TestClients.create();

	private final List<DisposableServer> servers = new ArrayList<>();

	@BeforeAll
	static void warmUp() {
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> response.sendString(Mono.just("{}")))
			.bindNow();
		try {
			CLIENT.get().uri("http://127.0.0.1:" + server.port() + "/").retrieve().toBodilessEntity().block(WAIT);
		}
		finally {
			server.disposeNow();
		}
	}

	@AfterEach
	void stop() {
		this.servers.forEach(DisposableServer::disposeNow);
	}

	@Test
	void findWhenTheSecondBackendHasTheObjectThenThatBackend() {
		FakeBackend a = answering("sim-a", HttpStatus.NOT_FOUND);
		FakeBackend b = answering("sim-b", HttpStatus.OK);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(a.backend, b.backend), CLIENT, true, WAIT);

		StepVerifier.create(discovery.find(THREAD, QUERY)).expectNext(b.backend).expectComplete().verify(WAIT);

		// sim-a's question may be cancelled before it is sent, once sim-b answered.
		assertThat(b.received).containsExactly("GET " + THREAD + "?" + QUERY + " key-of-sim-b");
	}

	@Test
	void findWhenNoBackendHasTheObjectThenEmpty() {
		FakeBackend a = answering("sim-a", HttpStatus.NOT_FOUND);
		FakeBackend b = answering("sim-b", HttpStatus.FORBIDDEN);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(a.backend, b.backend), CLIENT, true, WAIT);

		StepVerifier.create(discovery.find(THREAD, null)).expectComplete().verify(WAIT);

		assertThat(a.received).containsExactly("GET " + THREAD + " key-of-sim-a");
		assertThat(b.received).hasSize(1);
	}

	@Test
	void findWhenABackendHangsPastTheTimeoutThenEmptyOnceTheTimeoutIsUp() {
		Duration timeout = Duration.ofSeconds(2);
		FakeBackend hung = hanging("sim-a");
		FakeBackend b = answering("sim-b", HttpStatus.NOT_FOUND);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(hung.backend, b.backend), CLIENT, true, timeout);

		Duration took = StepVerifier.create(discovery.find(THREAD, QUERY)).expectComplete().verify(WAIT);

		assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(WAIT);
		eventually(hung.received::size, (count) -> count == 1, WAIT);
	}

	@Test
	void findWhenOneBackendHangsAndAnotherHasTheObjectThenThatBackendWithoutWaitingForTheTimeout() {
		FakeBackend hung = hanging("sim-a");
		FakeBackend b = answering("sim-b", HttpStatus.OK);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(hung.backend, b.backend), CLIENT, true,
				Duration.ofMinutes(1));

		StepVerifier.create(discovery.find(THREAD, QUERY)).expectNext(b.backend).expectComplete().verify(WAIT);
	}

	@Test
	void findWhenABackendRefusesConnectionsThenTheOthersStillAnswer() {
		FakeBackend closed = answering("sim-a", HttpStatus.OK);
		closed.server.disposeNow();
		FakeBackend b = answering("sim-b", HttpStatus.OK);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(closed.backend, b.backend), CLIENT, true, WAIT);

		StepVerifier.create(discovery.find(THREAD, QUERY)).expectNext(b.backend).expectComplete().verify(WAIT);
	}

	@Test
	void findWhenDiscoveryIsOffThenEmptyWithoutAnyRequest() {
		FakeBackend a = answering("sim-a", HttpStatus.OK);
		FakeBackend b = answering("sim-b", HttpStatus.OK);
		OwnerDiscovery discovery = new OwnerDiscovery(List.of(a.backend, b.backend), CLIENT, false, WAIT);

		StepVerifier.create(discovery.find(THREAD, QUERY)).expectComplete().verify(WAIT);

		assertThat(a.received).isEmpty();
		assertThat(b.received).isEmpty();
	}

	private FakeBackend answering(String name, HttpStatus status) {
		Queue<String> received = new ConcurrentLinkedQueue<>();
		DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
			received.add(request.method() + " " + request.uri() + " " + request.requestHeaders().get("api-key"));
			return response.status(status.value()).sendString(Mono.just("{}"));
		}).bindNow();
		return started(name, server, received);
	}

	private FakeBackend hanging(String name) {
		Queue<String> received = new ConcurrentLinkedQueue<>();
		DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
			received.add(request.method() + " " + request.uri());
			return Mono.never();
		}).bindNow();
		return started(name, server, received);
	}

	private FakeBackend started(String name, DisposableServer server, Queue<String> received) {
		this.servers.add(server);
		return new FakeBackend(backend(name, "http://127.0.0.1:" + server.port()), server, received);
	}

	private record FakeBackend(Backend backend, DisposableServer server, Queue<String> received) {
	}

}
