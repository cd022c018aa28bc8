package io.aoaigateway;

import java.util.List;

import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running gateway on a random port in front of {@link GatewayFixtures}' simulators,
 * with a client that speaks to it over real HTTP. Subclasses share one application
 * context.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
public abstract class GatewayIntegrationSupport {

	protected static final String API_VERSION = "api-version=2024-10-21";

	@Autowired
	protected WebTestClient client;

	@DynamicPropertySource
	static void gateway(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
	}

	@BeforeEach
	void resetSimulators() {
		GatewayFixtures.reset();
	}

	/**
	 * @return a valid token for the user {@code alice}
	 */
	protected static String token() {
		return GatewayFixtures.ISSUER.mint("alice");
	}

	/**
	 * Posts a JSON body with a valid token.
	 * @param path path and query on the gateway
	 * @param json the body
	 * @return the exchange, to assert on
	 */
	protected WebTestClient.ResponseSpec postJson(String path, String json) {
		return this.client.post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(token()))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	/**
	 * The single request a simulator received; fails when it received none or several.
	 * @param simulator the simulator
	 * @return what it received
	 */
	protected static RecordedRequest onlyRequest(AzureOpenAiSimulator simulator) {
		List<RecordedRequest> received = simulator.received();
		assertThat(received).as("requests received by %s", simulator.name()).hasSize(1);
		return received.get(0);
	}

	/**
	 * Asserts the backend saw its own key and none of the caller's credentials.
	 * @param request what the backend received
	 * @param key the backend's key
	 */
	protected static void assertSwappedCredentials(RecordedRequest request, String key) {
		assertThat(request.header("api-key")).isEqualTo(key);
		assertThat(request.header("authorization")).isNull();
		assertThat(request.header("cookie")).isNull();
	}

}
