package io.aoaigateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.server.RawHttpFixtures.Connection;
import io.aoaigateway.server.RawHttpFixtures.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests whose body length two parties could read differently (RFC 9112 6.1, 6.3) are
 * refused with one Azure-shaped answer and a closed connection; neither they nor a
 * request smuggled behind them reach a backend.
 */
class RequestFramingIntegrationTests {

	static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

	static final Duration WAIT = Duration.ofSeconds(10);

	static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayInstance.start(Map.of());
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	static String head(String framing) {
		return "POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
				+ GatewayFixtures.ISSUER.mint("alice") + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
	}

	// A complete, valid request that would reach the backend if it were ever parsed.
	static String smuggled() {
		return head("Content-Length: " + BODY.length() + "\r\n") + BODY;
	}

	static String chunked(String body) {
		return Integer.toHexString(body.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + body + "\r\n0\r\n\r\n";
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			chunked then identity in two headers | Transfer-Encoding: chunked\\r\\nTransfer-Encoding: identity   | 400
			chunked, identity                    | Transfer-Encoding: chunked, identity                          | 400
			identity alone                       | Transfer-Encoding: identity                                   | 400
			chunked twice                        | Transfer-Encoding: chunked, chunked                           | 400
			chunked in two headers               | Transfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked    | 400
			Transfer-Encoding and Content-Length | Transfer-Encoding: chunked\\r\\nContent-Length: 4             | 400
			a coding the gateway does not know   | Transfer-Encoding: x-custom, chunked                          | 501
			gzip before chunked                  | Transfer-Encoding: gzip, chunked                              | 501
			""")
	void transferEncodingThatIsNotChunkedAloneThenRefusedAndNothingForwarded(String name, String framing, int status)
			throws IOException {
		String headers = framing.replace("\\r\\n", "\r\n") + "\r\n";

		assertRefused(head(headers) + chunked(BODY) + smuggled(), status);
	}

	@Test
	void differingContentLengthsThenRefusedAndNothingForwarded() throws IOException {
		assertRefused(head("Content-Length: " + BODY.length() + "\r\nContent-Length: 4\r\n") + BODY + smuggled(), 400);
	}

	@Test
	void contentLengthListWithDifferingValuesThenRefused() throws IOException {
		assertRefused(head("Content-Length: " + BODY.length() + ", 4\r\n") + BODY + smuggled(), 400);
	}

	@Test
	void malformedChunkThenRefusedAndTheBackendReceivesNothing() throws IOException {
		String body = "10\r\n{\"messages\":[]}\r\nZZ\r\n" + BODY + "\r\n0\r\n\r\n";

		assertRefused(head("Transfer-Encoding: chunked\r\n") + body + smuggled(), 400);
	}

	@Test
	void chunkedBodyWithSoundFramingThenForwardedOnce() throws IOException {
		try (Connection connection = new Connection(gateway.port())) {
			connection.send(head("Transfer-Encoding: chunked\r\n") + chunked(BODY));

			Response response = connection.awaitResponse(WAIT);

			assertThat(response).isNotNull();
			assertThat(response.status()).isEqualTo(200);
		}
		assertThat(SIM_A.received()).hasSize(1);
		assertThat(SIM_A.received().get(0).bodyAsString()).contains("Hi");
	}

	private static void assertRefused(String bytes, int status) throws IOException {
		try (Connection connection = new Connection(gateway.port())) {
			connection.send(bytes);

			boolean closed = connection.awaitClose(WAIT);

			assertThat(closed).as("connection closed").isTrue();
			Response response = Response.parse(connection.received().getBytes(StandardCharsets.ISO_8859_1));
			assertThat(response).as("answer: %s", connection.received()).isNotNull();
			assertThat(response.status()).isEqualTo(status);
			assertThat(response.headers().get("content-type")).startsWith("application/json");
			JsonNode error = JsonMapper.shared().readTree(response.body()).path("error");
			assertThat(error.path("code").asString()).isNotEmpty();
			assertThat(error.path("message").asString()).isNotEmpty();
			assertThat(connection.received().split("HTTP/1.1 ", -1)).as("one answer only").hasSize(2);
		}
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
	}

}
