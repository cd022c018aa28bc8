package io.aoaigateway.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for a simulated resource, and helpers to read its answers.
 */
final class SimulatorFixtures {

	static final String KEY = "test-key";

	static final String API_VERSION = "?api-version=2024-10-21";

	private static final JsonMapper JSON = JsonMapper.shared();

	private SimulatorFixtures() {
	}

	static SimulatorSettings settings() {
		return SimulatorSettings
			.defaults("sim-test", KEY, new LinkedHashSet<>(List.of("gpt-4o", "text-embedding-3-small", "whisper")))
			.withStreamChunks(4);
	}

	static Client client(AzureOpenAiSimulator simulator) {
		return new Client(simulator.baseUrl(),
				HttpClient.newBuilder()
					.version(HttpClient.Version.HTTP_1_1)
					.connectTimeout(Duration.ofSeconds(5))
					.build());
	}

	static JsonNode json(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	static JsonNode json(String text) {
		return JSON.readTree(text);
	}

	/**
	 * The payloads of the {@code data:} lines of a server-sent event stream.
	 * @param body the stream
	 * @return the payloads in order
	 */
	static List<String> data(String body) {
		return Arrays.stream(body.split("\n\n"))
			.filter((event) -> !event.isBlank())
			.map((event) -> event.lines()
				.filter((line) -> line.startsWith("data: "))
				.findFirst()
				.orElseThrow()
				.substring("data: ".length()))
			.toList();
	}

	/**
	 * The names of the {@code event:} lines of a server-sent event stream.
	 * @param body the stream
	 * @return the names in order
	 */
	static List<String> eventNames(String body) {
		return Arrays.stream(body.split("\n\n"))
			.filter((event) -> !event.isBlank())
			.map((event) -> event.lines()
				.filter((line) -> line.startsWith("event: "))
				.findFirst()
				.orElseThrow()
				.substring("event: ".length()))
			.toList();
	}

	/**
	 * A multipart/form-data body.
	 * @param boundary the boundary
	 * @param fields text fields
	 * @param filename the file's name
	 * @param file the file's bytes
	 * @return the body
	 */
	static byte[] multipart(String boundary, Map<String, String> fields, String filename, byte[] file) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		fields.forEach((name, value) -> body.writeBytes(
				("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
					.getBytes(StandardCharsets.UTF_8)));
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
				+ "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.UTF_8));
		body.writeBytes(file);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return body.toByteArray();
	}

	/**
	 * Calls to one simulated resource, with its key unless told otherwise.
	 *
	 * @param baseUrl the resource's URL
	 * @param http the client
	 */
	record Client(URI baseUrl, HttpClient http) {

		HttpRequest.Builder request(String path) {
			return HttpRequest.newBuilder(this.baseUrl.resolve(path)).timeout(Duration.ofSeconds(10));
		}

		HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
			return send(request(path).header("api-key", KEY)
				.header("Content-Type", "application/json")
				.POST(BodyPublishers.ofString(json))
				.build());
		}

		HttpResponse<String> get(String path) throws IOException, InterruptedException {
			return send(request(path).header("api-key", KEY).GET().build());
		}

		HttpResponse<String> delete(String path) throws IOException, InterruptedException {
			return send(request(path).header("api-key", KEY).DELETE().build());
		}

		HttpResponse<String> postMultipart(String path, byte[] body, String boundary)
				throws IOException, InterruptedException {
			return send(request(path).header("api-key", KEY)
				.header("Content-Type", "multipart/form-data; boundary=" + boundary)
				.POST(BodyPublishers.ofByteArray(body))
				.build());
		}

		HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
			return this.http.send(request, BodyHandlers.ofString());
		}

		JsonNode postJson(String path, String json) throws IOException, InterruptedException {
			return json(post(path, json));
		}

		JsonNode getJson(String path) throws IOException, InterruptedException {
			return json(get(path));
		}

	}

}
