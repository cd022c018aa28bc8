package io.aoaigateway.affinity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.simulator.AzureOpenAiSimulator;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The calls the affinity tests make: to a test gateway as a caller (a token of the local
 * issuer per user), and to the shared simulators directly, with their keys.
 */
final class AffinityCalls {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final WebClient client;

	/**
	 * @param port the gateway's port
	 */
	AffinityCalls(int port) {
		this.client = TestClients.create("http://localhost:" + port);
	}

	ResponseEntity<String> post(String user, String path, String json) {
		return this.client.post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	/**
	 * Posts a multipart form with one file, streamed through the gateway.
	 * @param user the caller
	 * @param path where to
	 * @param field the file's field, e.g. {@code file} or {@code data}
	 * @param content the file's content
	 * @param fields the form's other fields
	 * @return the answer
	 */
	ResponseEntity<String> upload(String user, String path, String field, String content, Map<String, String> fields) {
		MultipartBodyBuilder form = new MultipartBodyBuilder();
		fields.forEach(form::part);
		form.part(field, new ByteArrayResource(content.getBytes(StandardCharsets.UTF_8)) {
			@Override
			public String getFilename() {
				return "notes.txt";
			}
		});
		return this.client.post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.body(BodyInserters.fromMultipartData(form.build()))
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	ResponseEntity<String> get(String user, String path) {
		return this.client.get()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	/**
	 * Asks a simulator directly whether it holds an object.
	 * @param simulator the simulator
	 * @param path the object's path, with its query if it needs one
	 * @return whether it answered 2xx
	 */
	static boolean has(AzureOpenAiSimulator simulator, String path) {
		return direct(simulator).get()
			.uri(path)
			.header("api-key", key(simulator))
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode()))
			.block(WAIT)
			.is2xxSuccessful();
	}

	static ResponseEntity<String> directPost(AzureOpenAiSimulator simulator, String path, String json) {
		return direct(simulator).post()
			.uri(path)
			.header("api-key", key(simulator))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	static ResponseEntity<String> directGet(AzureOpenAiSimulator simulator, String path) {
		return direct(simulator).get()
			.uri(path)
			.header("api-key", key(simulator))
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	private static WebClient direct(AzureOpenAiSimulator simulator) {
		return TestClients.create(simulator.baseUrl().toString());
	}

	private static String key(AzureOpenAiSimulator simulator) {
		return (simulator == GatewayFixtures.SIM_A) ? GatewayFixtures.KEY_A : GatewayFixtures.KEY_B;
	}

}
