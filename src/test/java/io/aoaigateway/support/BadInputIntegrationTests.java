package io.aoaigateway.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;

import io.aoaigateway.GatewayIntegrationSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import static io.aoaigateway.GatewayFixtures.KEY_A;
import static io.aoaigateway.GatewayFixtures.KEY_B;
import static io.aoaigateway.GatewayFixtures.SIM_A;
import static io.aoaigateway.GatewayFixtures.SIM_B;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets Azure's error shape with the right status, and the gateway keeps serving
 * the next caller.
 */
class BadInputIntegrationTests extends GatewayIntegrationSupport {

	private static final int LIMIT = 25 * 1024 * 1024;

	private static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions?" + API_VERSION;

	@LocalServerPort
	int port;

	@AfterEach
	void gatewayStillServes() {
		SIM_A.clearReceived();
		postJson(CHAT_PATH, """
				{"messages":[{"role":"user","content":"still there?"}]}""").expectStatus().isOk();
	}

	@Test
	void jsonBodyOverTheLimitIs413() {
		byte[] body = new byte[LIMIT + 1];
		Arrays.fill(body, (byte) ' ');
		body[0] = '{';
		body[body.length - 1] = '}';

		this.client.post()
			.uri(CHAT_PATH)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("RequestEntityTooLarge");
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void chunkedUploadOverTheLimitIs413() {
		int chunk = 1024 * 1024;
		Flux<DataBuffer> body = Flux.range(0, LIMIT / chunk + 1).map((i) -> {
			byte[] bytes = new byte[chunk];
			Arrays.fill(bytes, (byte) 'x');
			return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
		});

		this.client.post()
			.uri("/openai/deployments/whisper/audio/transcriptions?" + API_VERSION)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.parseMediaType("multipart/form-data; boundary=b"))
			.body(body, DataBuffer.class)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("RequestEntityTooLarge");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"model\": \"gpt-4o\", \"messages\": [", "[1,2,3]", "\"gpt-4o\"", "",
			"{\"messages\":[]}", "{\"model\":42}" })
	void v1BodyWithoutAReadableModelIs400(String body) {
		postJson("/openai/v1/chat/completions", body).expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("BadRequest")
			.jsonPath("$.error.message")
			.isNotEmpty();
		assertThat(SIM_A.received()).isEmpty();
		assertThat(SIM_B.received()).isEmpty();
	}

	@Test
	void v1BodyNamingAnUnknownModelIs404() {
		postJson("/openai/v1/chat/completions", """
				{"model":"gpt-99","messages":[]}""").expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("DeploymentNotFound");
	}

	@Test
	void v1BodyThatIsNotJsonIs400() {
		this.client.post()
			.uri("/openai/v1/chat/completions")
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("model=gpt-4o")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("application/json"));
	}

	@Test
	void unparseableContentTypeDoesNotBreakTheGateway() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/openai/v1/chat/completions"))
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token())
				.header(HttpHeaders.CONTENT_TYPE, "application/json; charset=\"unterminated")
				.POST(BodyPublishers.ofString("{\"model\":\"gpt-4o\"}"))
				.build(), BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"error\"").contains("application/json");
	}

	@Test
	void malformedJsonOnADeploymentPathIsLeftToTheBackendToJudge() {
		postJson(CHAT_PATH, "{\"messages\": [").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.code")
			.exists();
		assertSwappedCredentials(onlyRequest(SIM_A), KEY_A);
	}

	@Test
	void callerCannotSmuggleCredentialsOrDropTheBackendKey() {
		this.client.post().uri(CHAT_PATH).headers((headers) -> {
			headers.setBearerAuth(token());
			headers.add("api-key", KEY_B);
			headers.add("Proxy-Authorization", "Basic Zm9vOmJhcg==");
			headers.add(HttpHeaders.CONNECTION, "keep-alive, api-key");
			headers.add("X-Forwarded-For", "10.0.0.1");
		}).contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"messages":[{"role":"user","content":"Hello"}]}""").exchange().expectStatus().isOk();

		var received = onlyRequest(SIM_A);
		assertSwappedCredentials(received, KEY_A);
		assertThat(received.headers().get("api-key")).containsExactly(KEY_A);
		assertThat(received.header("proxy-authorization")).isNull();
	}

	@Test
	void wrongMethodOnAKnownPathIsAzureShaped() {
		this.client.method(org.springframework.http.HttpMethod.GET)
			.uri("/openai/v1/chat/completions")
			.headers((headers) -> headers.setBearerAuth(token()))
			.exchange()
			.expectStatus()
			.value((status) -> assertThat(status).isIn(404, 405))
			.expectBody()
			.jsonPath("$.error.code")
			.exists();
	}

}
