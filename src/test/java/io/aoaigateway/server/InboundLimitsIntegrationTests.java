package io.aoaigateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.server.RawHttpFixtures.Connection;
import io.aoaigateway.server.RawHttpFixtures.Response;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's server against hostile and broken peers, over raw sockets: slow heads,
 * idle keep-alives, stalled uploads, oversized heads and large Entra tokens, with the
 * limits set small so that every timeout fires within a test.
 */
class InboundLimitsIntegrationTests {

	private static final Log logger = LogFactory.getLog(InboundLimitsIntegrationTests.class);

	static final Duration HEADER_TIMEOUT = Duration.ofMillis(500);

	static final Duration BODY_READ_TIMEOUT = Duration.ofMillis(800);

	static final Duration BODY_TOTAL_TIMEOUT = Duration.ofSeconds(4);

	static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

	static final long BUDGET = 4 * 1024 * 1024;

	static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	static final String CHAT_BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

	static final Duration WAIT = Duration.ofSeconds(10);

	static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayInstance.start(Map.of("aoai.server.header-read-timeout", HEADER_TIMEOUT.toMillis() + "ms",
				"aoai.server.body-read-timeout", BODY_READ_TIMEOUT.toMillis() + "ms", "aoai.server.body-total-timeout",
				BODY_TOTAL_TIMEOUT.toMillis() + "ms", "aoai.server.max-buffered-bodies", BUDGET + "B",
				"server.netty.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms"));
		// The body read timeout counts while the server does not read either: the first
		// call of a cold JVM (class loading, the JWKS fetch) could outlast its small test
		// value.
		gateway.client()
			.post()
			.uri(CHAT)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(CHAT_BODY)
			.retrieve()
			.toBodilessEntity()
			.block(WAIT);
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	static String token() {
		return GatewayFixtures.ISSUER.mint("alice");
	}

	static String chatRequestHead(String framing) {
		return "POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token()
				+ "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
	}

	Connection connect() throws IOException {
		return new Connection(gateway.port());
	}

	static JsonNode error(Response response) {
		assertThat(response.headers().get("content-type")).startsWith("application/json");
		JsonNode body = JsonMapper.shared().readTree(response.body());
		assertThat(body.path("error").path("code").asString()).isNotEmpty();
		assertThat(body.path("error").path("message").asString()).isNotEmpty();
		return body.path("error");
	}

	@Test
	void headDrippedSlowerThanTheHeaderTimeoutThenAnswered408AndClosed() throws IOException {
		try (Connection connection = connect()) {
			long started = System.nanoTime();
			connection.send("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\n");
			int line = 0;
			while (!connection.awaitClose(Duration.ofMillis(100)) && line < 100) {
				connection.send("X-Drip-" + line++ + ": x\r\n");
			}
			Duration held = Duration.ofNanos(System.nanoTime() - started);

			assertThat(held).isLessThan(HEADER_TIMEOUT.plusSeconds(2));
			Response response = Response.parse(connection.received().getBytes(StandardCharsets.ISO_8859_1));
			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(408);
			assertThat(error(response).path("code").asString()).isEqualTo("RequestTimeout");
		}
	}

	@Test
	void burstOfSlowHeadsThenEveryConnectionIsClosed() throws IOException {
		ServerLimitsCustomizer server = gateway.bean(ServerLimitsCustomizer.class);
		RawHttpFixtures.await(WAIT, () -> server.openConnections() == 0);
		int before = server.openConnections();
		List<Connection> connections = new ArrayList<>();
		try {
			for (int i = 0; i < 300; i++) {
				connections.add(connect().send("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\n"));
			}
			RawHttpFixtures.await(WAIT, () -> server.openConnections() >= before + 1);
			int peak = server.openConnections();
			long started = System.nanoTime();

			boolean allClosed = RawHttpFixtures.await(WAIT, () -> server.openConnections() == before);
			Duration drained = Duration.ofNanos(System.nanoTime() - started);

			assertThat(allClosed).as("connections held: %d", server.openConnections()).isTrue();
			logger.info(String.format(
					"slowloris burst: 300 connections, %d still open when the burst ended, %d open %d ms later", peak,
					server.openConnections() - before, drained.toMillis()));
			for (Connection connection : connections) {
				assertThat(connection.awaitClose(WAIT)).isTrue();
			}
		}
		finally {
			for (Connection connection : connections) {
				connection.close();
			}
		}
	}

	@Test
	void keepAliveConnectionIdleLongerThanTheIdleTimeoutThenClosed() throws IOException {
		try (Connection connection = connect()) {
			connection.send("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
			Response response = connection.awaitResponse(WAIT);
			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(200);
			long answered = System.nanoTime();

			boolean closed = connection.awaitClose(IDLE_TIMEOUT.plusSeconds(3));

			assertThat(closed).isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - answered))
				.isGreaterThanOrEqualTo(IDLE_TIMEOUT.minusMillis(100));
		}
	}

	@Test
	void uploadStalledMidBodyThenTimedOutAndItsMemoryReturned() throws IOException {
		BufferedBodyBudget budget = gateway.bean(BufferedBodyBudget.class);
		int declared = 1_000_000;
		int sent = 600_000;
		try (Connection connection = connect()) {
			connection.send(chatRequestHead("Content-Length: " + declared + "\r\n")).send(jsonPrefix(sent));
			assertThat(RawHttpFixtures.await(WAIT, () -> budget.used() >= sent))
				.as("budget held: %d, received: %s", budget.used(), connection.received())
				.isTrue();

			boolean closed = connection.awaitClose(BODY_READ_TIMEOUT.plusSeconds(5));

			assertThat(closed).isTrue();
			assertThat(RawHttpFixtures.await(WAIT, () -> budget.used() == 0)).as("budget held: %d", budget.used())
				.isTrue();
			Response response = Response.parse(connection.received().getBytes(StandardCharsets.ISO_8859_1));
			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(408);
			assertThat(error(response).path("code").asString()).isEqualTo("RequestTimeout");
		}
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void uploadSlowerThanTheReadTimeoutOverallButMovingThenServed() throws IOException {
		String body = CHAT_BODY + " ".repeat(8 * 16);
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		int pieces = 8;
		int piece = bytes.length / pieces;
		try (Connection connection = connect()) {
			long started = System.nanoTime();
			connection.send(chatRequestHead("Content-Length: " + bytes.length + "\r\n"));
			for (int i = 0; i < pieces; i++) {
				int end = (i == pieces - 1) ? bytes.length : (i + 1) * piece;
				connection.send(Arrays.copyOfRange(bytes, i * piece, end));
				// Paced by a wait for an early close that must not come.
				assertThat(connection.awaitClose(BODY_READ_TIMEOUT.dividedBy(3))).isFalse();
			}

			Response response = connection.awaitResponse(WAIT);

			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(BODY_READ_TIMEOUT.multipliedBy(2));
			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(200);
		}
	}

	@Test
	void uploadMovingButLongerThanTheTotalTimeoutThen408AndClosed() throws IOException {
		BufferedBodyBudget budget = gateway.bean(BufferedBodyBudget.class);
		try (Connection connection = connect()) {
			long started = System.nanoTime();
			connection.send(chatRequestHead("Content-Length: 100000\r\n")).send("{");
			boolean closed = false;
			for (int i = 0; i < 100 && !closed; i++) {
				closed = connection.awaitClose(BODY_READ_TIMEOUT.dividedBy(3));
				if (!closed) {
					connection.send("  ");
				}
			}
			Duration held = Duration.ofNanos(System.nanoTime() - started);

			assertThat(closed).isTrue();
			assertThat(held).isBetween(BODY_TOTAL_TIMEOUT.minusMillis(200), BODY_TOTAL_TIMEOUT.plusSeconds(3));
			Response response = Response.parse(connection.received().getBytes(StandardCharsets.ISO_8859_1));
			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(408);
			assertThat(error(response).path("code").asString()).isEqualTo("RequestTimeout");
		}
		assertThat(RawHttpFixtures.await(WAIT, () -> budget.used() == 0)).isTrue();
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void tokenWith200GroupClaimsThenAccepted() {
		List<String> groups = IntStream.range(0, 200).mapToObj((i) -> UUID.randomUUID().toString()).toList();
		String token = GatewayFixtures.ISSUER.mint("alice", (claims) -> claims.claim("groups", groups));

		String answer = gateway.client()
			.post()
			.uri(CHAT)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(CHAT_BODY)
			.retrieve()
			.bodyToMono(String.class)
			.block(WAIT);

		assertThat(token.length()).isGreaterThan(10_000);
		assertThat(answer).contains("choices");
	}

	@Test
	void headersOverTheLimitThen431AzureShaped() throws IOException {
		try (Connection connection = connect()) {
			connection.send(
					"GET /actuator/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(40 * 1024) + "\r\n\r\n");

			Response response = connection.awaitResponse(WAIT);

			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(431);
			assertThat(error(response).path("code").asString()).isEqualTo("RequestHeaderFieldsTooLarge");
			assertThat(connection.awaitClose(WAIT)).isTrue();
		}
	}

	@Test
	void requestLineOverTheLimitThen414AzureShaped() throws IOException {
		try (Connection connection = connect()) {
			connection.send("GET /actuator/health?q=" + "a".repeat(20 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

			Response response = connection.awaitResponse(WAIT);

			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(414);
			assertThat(error(response).path("code").asString()).isEqualTo("RequestUriTooLong");
		}
	}

	@Test
	void requestThatIsNotHttpThen400AzureShaped() throws IOException {
		try (Connection connection = connect()) {
			connection.send("NOT HTTP AT ALL\r\n\r\n");

			Response response = connection.awaitResponse(WAIT);

			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(400);
			error(response);
			assertThat(connection.awaitClose(WAIT)).isTrue();
		}
	}

	@Test
	void pathTheFirewallRejectsThen400AzureShaped() throws IOException {
		try (Connection connection = connect()) {
			connection.send("GET /openai/deployments/gpt%2F4o/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
					+ "Authorization: Bearer " + token() + "\r\n\r\n");

			Response response = connection.awaitResponse(WAIT);

			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(400);
			assertThat(error(response).path("code").asString()).isEqualTo("BadRequest");
		}
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
	}

	static byte[] jsonPrefix(int length) {
		byte[] bytes = new byte[length];
		Arrays.fill(bytes, (byte) ' ');
		bytes[0] = '{';
		return bytes;
	}

}
