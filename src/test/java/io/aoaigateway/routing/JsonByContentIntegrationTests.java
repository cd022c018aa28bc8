package io.aoaigateway.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import io.aoaigateway.GatewayIntegrationSupport;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JSON body sent to an endpoint that accepts only JSON is inspected and amended as JSON
 * whatever its declared content type; a body that is not JSON there is refused.
 */
class JsonByContentIntegrationTests extends GatewayIntegrationSupport {

	private static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions?" + API_VERSION;

	private static final String CHAT_BODY = """
			{"messages":[{"role":"user","content":"Hello"}],"user":"callers-own-id"}""";

	@LocalServerPort
	int port;

	@Test
	void jsonSentAsTextPlainThenInspectedAndForwardedAsJson() {
		this.client.post()
			.uri(CHAT_PATH)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(CHAT_BODY)
			.exchange()
			.expectStatus()
			.isOk();

		assertStampedJson(onlyRequest(SIM_A));
	}

	@Test
	void jsonSentWithoutContentTypeThenInspectedAndForwardedAsJson() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + CHAT_PATH))
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token())
				.timeout(Duration.ofSeconds(30))
				.POST(BodyPublishers.ofString(CHAT_BODY))
				.build(), BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(200);
		RecordedRequest received = onlyRequest(SIM_A);
		assertThat(received.header("content-type")).isNotNull();
		assertStampedJson(received);
	}

	@Test
	void textThatIsNotJsonOnAJsonOnlyEndpointThen400AndNothingForwarded() {
		this.client.post()
			.uri(CHAT_PATH)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("Hello, what is the weather?")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("BadRequest");

		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void v1JsonSentAsTextPlainThenRoutedByItsModel() {
		this.client.post()
			.uri("/openai/v1/chat/completions")
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("""
					{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""")
			.exchange()
			.expectStatus()
			.isOk();

		assertThat(onlyRequest(SIM_A).header("content-type")).startsWith("application/json");
	}

	private static void assertStampedJson(RecordedRequest received) {
		assertThat(received.header("content-type")).startsWith("application/json");
		JsonNode body = JsonMapper.shared().readTree(received.bodyAsString());
		assertThat(body.path("user").asString()).isNotEmpty().isNotEqualTo("callers-own-id");
		assertThat(body.path("messages").get(0).path("content").asString()).isEqualTo("Hello");
	}

}
