package io.aoaigateway.observability;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.aoaigateway.Eventually;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server of a test's own, from Debian's {@code prometheus} binary: its
 * storage in a directory of the test's, its API on a free local port.
 */
final class PrometheusServer implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(PrometheusServer.class);

	private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final Process process;

	private final Path log;

	private final URI api;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	/** Kills the server if the test JVM ends without closing it. */
	private final Thread killer;

	private PrometheusServer(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.api = URI.create("http://127.0.0.1:" + port);
		this.killer = new Thread(process::destroyForcibly, "prometheus-killer");
		Runtime.getRuntime().addShutdownHook(this.killer);
	}

	/**
	 * Starts Prometheus and waits until it is ready.
	 * @param binary the {@code prometheus} binary
	 * @param dir a directory for its configuration, storage and log
	 * @param config its configuration file's content
	 * @return the ready server
	 * @throws IOException if the directory cannot be written
	 */
	static PrometheusServer start(Path binary, Path dir, String config) throws IOException {
		Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
		Path log = dir.resolve("prometheus.log");
		int port = freePort();
		Process process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
				"--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
				"--web.listen-address=127.0.0.1:" + port)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		PrometheusServer server = new PrometheusServer(process, log, port);
		try {
			Eventually.eventually(server::ready, (ready) -> ready, START_TIMEOUT);
		}
		catch (RuntimeException | AssertionError ex) {
			server.close();
			throw new IllegalStateException(
					"Prometheus not ready within " + START_TIMEOUT + "; its log:\n" + server.log(), ex);
		}
		logger.info("Prometheus " + process.pid() + " ready on " + server.api);
		return server;
	}

	/**
	 * Runs an instant query.
	 * @param promql the expression
	 * @param time when it is evaluated
	 * @return the API's whole answer ({@code status}, {@code data} or {@code error})
	 */
	JsonNode query(String promql, Instant time) {
		return get("/api/v1/query", Map.of("query", promql, "time", seconds(time)));
	}

	/**
	 * @param promql an expression
	 * @return the value of its first sample now, NaN when it has none
	 */
	double value(String promql) {
		JsonNode result = query(promql, Instant.now()).path("data").path("result");
		return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asString());
	}

	/**
	 * Asks the API.
	 * @param path e.g. {@code /api/v1/rules}
	 * @param parameters its query parameters
	 * @return the answer, whatever its status
	 */
	JsonNode get(String path, Map<String, String> parameters) {
		String query = parameters.entrySet()
			.stream()
			.map((parameter) -> encode(parameter.getKey()) + "=" + encode(parameter.getValue()))
			.collect(Collectors.joining("&"));
		HttpRequest request = HttpRequest.newBuilder(this.api.resolve(path + (query.isEmpty() ? "" : "?" + query)))
			.timeout(REQUEST_TIMEOUT)
			.GET()
			.build();
		try {
			return JSON.readTree(this.http.send(request, BodyHandlers.ofString()).body());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Prometheus did not answer " + request.uri() + "; its log:\n" + log(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while asking Prometheus", ex);
		}
	}

	/**
	 * @return the last lines Prometheus logged, for failure messages
	 */
	String log() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() {
		Runtime.getRuntime().removeShutdownHook(this.killer);
		this.process.destroy();
		try {
			if (!this.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				logger
					.warn("Prometheus " + this.process.pid() + " ignored SIGTERM for " + STOP_TIMEOUT + "; killing it");
				this.process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private boolean ready() {
		if (!this.process.isAlive()) {
			throw new IllegalStateException("Prometheus exited with " + this.process.exitValue());
		}
		HttpRequest request = HttpRequest.newBuilder(this.api.resolve("/-/ready"))
			.timeout(Duration.ofSeconds(1))
			.GET()
			.build();
		try {
			return this.http.send(request, BodyHandlers.discarding()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for Prometheus", ex);
		}
	}

	private static String seconds(Instant time) {
		return time.getEpochSecond() + "." + String.format("%03d", time.getNano() / 1_000_000);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free port", ex);
		}
	}

}
