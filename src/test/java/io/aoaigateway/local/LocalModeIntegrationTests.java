package io.aoaigateway.local;

import io.aoaigateway.leaks.TestClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's quickstart: the {@code local} profile as shipped, moved to free ports,
 * gets a token from its issuer and answers a chat call from its simulated backends.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("local")
class LocalModeIntegrationTests {

	private static final int ISSUER_PORT = freePort();

	private static final int SWEDEN_PORT = freePort();

	private static final int EASTUS_PORT = freePort();

	@Autowired
	WebTestClient client;

	@DynamicPropertySource
	static void freePorts(DynamicPropertyRegistry registry) {
		registry.add("aoai.local.issuer-port", () -> ISSUER_PORT);
		registry.add("local.ports.swedencentral", () -> SWEDEN_PORT);
		registry.add("local.ports.eastus2", () -> EASTUS_PORT);
	}

	@Test
	void tokenFromTheLocalIssuerOpensTheGateway() {
		String token = TestClients.create("http://127.0.0.1:" + ISSUER_PORT)
			.get()
			.uri("/token?sub=alice")
			.retrieve()
			.bodyToMono(String.class)
			.block();

		this.client.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}]}""")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.choices[0].message.content")
			.isNotEmpty();
	}

	@Test
	void clientCredentialsTokenWorksLikeAnEntraAppToken() {
		Map<String, Object> answer = TestClients.create("http://127.0.0.1:" + ISSUER_PORT)
			.post()
			.uri("/token")
			.body(BodyInserters.fromFormData("grant_type", "client_credentials").with("client_id", "billing-app"))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block();
		assertThat(answer).containsEntry("token_type", "Bearer");

		this.client.post()
			.uri("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth((String) answer.get("access_token")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"input":"hello"}""")
			.exchange()
			.expectStatus()
			.isOk();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
