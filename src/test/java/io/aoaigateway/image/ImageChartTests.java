package io.aoaigateway.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aoaigateway.Commands.Run;
import io.aoaigateway.Eventually;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import io.aoaigateway.simulator.SimulatorSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The gateway's image run the way the Helm chart runs it ({@link ChartPod} derives the
 * {@code podman run} from the rendered manifests): it answers the chart's probes, runs as
 * uid 10001 with only {@code /tmp} writable and its heap sized from the memory limit,
 * serves a chat call against a simulated backend with the key the chart's Secret mapping
 * gives it, finishes a stream in flight at SIGTERM within the grace period, and exits
 * non-zero on a bad configuration, naming the property.
 * <p>
 * Needs podman and the image named by {@code -Daoai.image}, so the normal test run
 * excludes this package: {@code scripts/image-check.sh} builds the image and runs this
 * class. Without {@code -Daoai.image} every test is skipped.
 */
class ImageChartTests {

	private static final Log logger = LogFactory.getLog(ImageChartTests.class);

	private static final String IMAGE = System.getProperty("aoai.image", "");

	private static final Path VALUES = Path.of("src", "test", "resources", "image", "values.yaml");

	private static final String BACKEND_KEY = "key-of-the-simulated-backend";

	// The test's stand-in for the Secret named by backends.existingSecret.
	private static final Map<String, Map<String, String>> SECRETS = Map.of("aoai-backend-keys",
			Map.of("simulated", BACKEND_KEY));

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final int CHUNKS = 8;

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final HttpClient HTTP = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	@TempDir
	static Path work;

	private static AzureOpenAiSimulator simulator;

	private static LocalTokenIssuer issuer;

	private static ChartPod pod;

	// Started once for the checks that leave it running.
	private static Gateway gateway;

	// Started by one test, removed after it.
	private final List<Gateway> started = new ArrayList<>();

	@RegisterExtension
	final AfterTestExecutionCallback outputOnFailure = (context) -> {
		if (context.getExecutionException().isPresent()) {
			this.started.forEach(ImageChartTests::logOutput);
			if (gateway != null) {
				logOutput(gateway);
			}
		}
	};

	@BeforeAll
	static void startGateway() {
		assumeTrue(!IMAGE.isBlank(),
				"no -Daoai.image: scripts/image-check.sh builds the image and runs these checks with it");
		simulator = AzureOpenAiSimulator
			.start(SimulatorSettings.defaults("simulated", BACKEND_KEY, Set.of("gpt-4o")).withStreamChunks(CHUNKS));
		issuer = LocalTokenIssuer.start(0, Clock.systemUTC());
		pod = ChartPod.render(values(simulator.baseUrl()), work);
		gateway = start(pod, "gateway");
		try {
			assertThat(awaitProbe(gateway, "startup")).as("startup probe").isEqualTo(200);
		}
		catch (AssertionError ex) {
			logOutput(gateway);
			throw ex;
		}
	}

	@AfterEach
	void removeContainers() {
		this.started.forEach((started) -> started.container().close());
	}

	@AfterAll
	static void stopAll() {
		if (gateway != null) {
			gateway.container().close();
		}
		if (simulator != null) {
			simulator.close();
		}
		if (issuer != null) {
			issuer.close();
		}
	}

	@Test
	void probesWhenRunAsTheChartSaysThenEachAnswers200() {
		assertThat(pod.container().getImage()).as("the image the chart names").isEqualTo(IMAGE);
		// The port is moved for the run (see ChartPod); the chart's probes must still aim
		// at the one the image listens on.
		Run exposed = PodmanContainer.podman(Map.of(), Duration.ofSeconds(60), List.of("image", "inspect", "--format",
				"{{range $port, $_ := .Config.ExposedPorts}}{{$port}} {{end}}", IMAGE));
		assertThat(exposed.output().split("\\s+")).as("the image's exposed ports")
			.contains(pod.probedContainerPort() + "/tcp");
		for (String kind : List.of("startup", "readiness", "liveness")) {
			assertThat(awaitProbe(gateway, kind)).as("%s probe %s", kind, pod.probePath(kind)).isEqualTo(200);
		}
	}

	@Test
	void processWhenRunAsTheChartSaysThenUid10001WithoutPrivilegesAndOnlyTmpWritable() {
		assertThat(pod.runAsUser()).isEqualTo(10001);
		assertThat(pod.runAsGroup()).isEqualTo(10001);
		Run status = gateway.container().exec("cat", "/proc/1/status");
		assertThat(status.exitCode()).as(status.output()).isZero();
		// The gateway's own process (PID 1): real, effective, saved and filesystem ids.
		assertThat(status.output()).containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
			.containsPattern("(?m)^Gid:\\s+10001\\s+10001\\s+10001\\s+10001$")
			.containsPattern("(?m)^CapEff:\\s+0+$")
			.containsPattern("(?m)^CapPrm:\\s+0+$")
			.containsPattern("(?m)^NoNewPrivs:\\s+1$");
		assertThat(gateway.container().exec("cat", "/proc/1/cmdline").output()).contains("java")
			.contains("JarLauncher");
		for (String directory : List.of("", "/app", "/config", "/var/tmp", "/run", "/home", "/opt")) {
			Run write = gateway.container().exec("touch", directory + "/image-check-write");
			assertThat(write.exitCode()).as("write in %s/", directory).isNotZero();
			assertThat(write.output()).as("write in %s/", directory).contains("Read-only file system");
		}
		Run tmp = gateway.container().exec("touch", "/tmp/image-check-write");
		assertThat(tmp.exitCode()).as("write in /tmp: %s", tmp.output()).isZero();
	}

	@Test
	void heapWhenTheChartsMemoryLimitThenSizedFromIt() {
		Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(env(pod, "JAVA_TOOL_OPTIONS"));
		assertThat(percentage.find()).as("the chart's JAVA_TOOL_OPTIONS set MaxRAMPercentage").isTrue();
		// A JVM started in the container with its environment sees what the gateway's
		// saw.
		Run flags = gateway.container().exec("java", "-XX:+PrintFlagsFinal", "-version");
		Matcher heap = Pattern.compile("MaxHeapSize\\s+=\\s+(\\d+)").matcher(flags.output());
		assertThat(heap.find()).as(flags.output()).isTrue();

		BigDecimal expected = pod.memoryLimitBytes()
			.multiply(new BigDecimal(percentage.group(1)))
			.divide(BigDecimal.valueOf(100));
		// Within 5 %: the JVM rounds the heap to its alignment. Without the limit it
		// would
		// size the heap from the host's memory.
		assertThat(new BigDecimal(heap.group(1))).isBetween(expected.multiply(new BigDecimal("0.95")),
				expected.multiply(new BigDecimal("1.05")));
	}

	@Test
	void chatWhenTokenFromTheIssuerThenAnswersWithUsageAndTheBackendSeesOnlyItsKey() throws Exception {
		String token = issuer.mint("alice");
		simulator.clearReceived();

		HttpResponse<String> answer = HTTP.send(chat(gateway, token, false), BodyHandlers.ofString());

		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		JsonNode usage = JSON.readTree(answer.body()).path("usage");
		assertThat(usage.path("total_tokens").asInt()).as(answer.body()).isPositive();
		List<RecordedRequest> calls = simulator.received();
		assertThat(calls).hasSize(1);
		RecordedRequest call = calls.get(0);
		assertThat(call.header("api-key")).as("the key from the Secret mapping").isEqualTo(BACKEND_KEY);
		assertThat(call.header("authorization")).isNull();
		assertThat(call.headers().toString()).as("the caller's token").doesNotContain(token);
	}

	@Test
	void shutdownWhenAStreamIsInFlightThenItCompletesAndTheContainerExitsWithinTheGracePeriod() throws Exception {
		Duration preStop = pod.preStopSleep();
		// Paced so that the events after the first (CHUNKS + 2 of them)
		// outlast the preStop pause: the stream still runs at SIGTERM.
		Duration pace = preStop.plusSeconds(3).dividedBy(CHUNKS + 2);
		try (AzureOpenAiSimulator paced = AzureOpenAiSimulator
			.start(SimulatorSettings.defaults("simulated", BACKEND_KEY, Set.of("gpt-4o"))
				.withStreamChunks(CHUNKS)
				.withStreamPace(pace))) {
			ChartPod pacedPod = ChartPod.render(values(paced.baseUrl()), work);
			Gateway stopping = start(pacedPod, "shutdown");
			this.started.add(stopping);
			assertThat(awaitProbe(stopping, "startup")).as("startup probe").isEqualTo(200);
			List<String> events = new CopyOnWriteArrayList<>();
			CompletableFuture<Integer> stream = HTTP
				.sendAsync(chat(stopping, issuer.mint("alice"), true), BodyHandlers.ofLines())
				.thenApplyAsync((response) -> {
					response.body().filter((line) -> line.startsWith("data: ")).forEach(events::add);
					return response.statusCode();
				});
			Eventually.eventually(events::size, (count) -> count > 0, Duration.ofSeconds(30));

			// What the kubelet does when the pod is deleted:
			// the preStop hook, then SIGTERM.
			long hookStarted = System.nanoTime();
			Run hook = stopping.container().exec(pacedPod.preStopCommand().toArray(String[]::new));
			assertThat(hook.exitCode()).as("preStop %s: %s", pacedPod.preStopCommand(), hook.output()).isZero();
			int eventsAtTerm = events.size();
			long termSent = System.nanoTime();
			stopping.container().kill("TERM");
			Duration budget = pacedPod.terminationGracePeriod().minus(preStop);
			int exitCode = stopping.container().awaitExit(budget);
			Duration toExit = Duration.ofNanos(System.nanoTime() - termSent);
			Duration sinceHook = Duration.ofNanos(System.nanoTime() - hookStarted);
			int streamStatus = stream.get(30, TimeUnit.SECONDS);

			assertThat(eventsAtTerm).as("events before SIGTERM: the stream was still running").isLessThan(CHUNKS + 3);
			assertThat(streamStatus).isEqualTo(200);
			assertThat(events).as("the stream after SIGTERM").hasSize(CHUNKS + 3).last().isEqualTo("data: [DONE]");
			assertThat(exitCode).as("exit status after SIGTERM (137 would be a SIGKILL)").isIn(0, 143);
			assertThat(toExit).as("SIGTERM to exit").isLessThan(budget);
			assertThat(sinceHook).as("preStop to exit").isLessThan(pacedPod.terminationGracePeriod());
			assertThat(stopping.container().logs()).contains("Commencing graceful shutdown")
				.contains("Graceful shutdown complete")
				.doesNotContain("Graceful shutdown aborted");
			logger.info("SIGTERM to exit " + toExit.toMillis() + " ms (budget " + budget.toSeconds() + " s), exit "
					+ exitCode);
		}
	}

	@ParameterizedTest
	@CsvSource(nullValues = "none",
			value = { "url, none, aoai.routing.backends[0].url", "priority, first, aoai.routing.backends[0].priority" })
	void startWhenABackendSettingIsBadThenExitsNonZeroNamingTheProperty(String setting, String value, String property) {
		Map<String, Object> values = values(simulator.baseUrl());
		if (value == null) {
			backend(values).remove(setting);
		}
		else {
			backend(values).put(setting, value);
		}
		ChartPod bad = ChartPod.render(values, work);
		Gateway refused = start(bad, "bad-config");
		this.started.add(refused);

		int exitCode = refused.container().awaitExit(bad.probeBudget("startup"));

		assertThat(exitCode).isNotZero();
		assertThat(refused.container().logs()).contains("APPLICATION FAILED TO START").contains(property);
	}

	private static Gateway start(ChartPod pod, String purpose) {
		try {
			Path volumes = Files.createTempDirectory(work, purpose + "-volumes-");
			Map<String, String> environment = new LinkedHashMap<>();
			int port = freePort();
			List<String> arguments = pod.runArguments(port, SECRETS, volumes, environment);
			// Only the names of the variables are on the command line: the key stays out
			// of
			// the log.
			logger.info("podman run " + String.join(" ", arguments));
			return new Gateway(PodmanContainer.run(purpose, arguments, environment), pod, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Polls a probe's path as the kubelet does, for as long as Kubernetes would let it
	 * fail, and stops early if the container exits.
	 * @return the last HTTP status, -1 when nothing answered
	 */
	private static int awaitProbe(Gateway gateway, String kind) {
		URI uri = gateway.uri(gateway.pod().probePath(kind));
		return Eventually.eventually(() -> status(uri), (status) -> status == 200 || !gateway.container().running(),
				gateway.pod().probeBudget(kind));
	}

	private static int status(URI uri) {
		try {
			HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).GET().build();
			return HTTP.send(request, BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static HttpRequest chat(Gateway gateway, String token, boolean stream) {
		String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]" + (stream ? ",\"stream\":true" : "")
				+ "}";
		return HttpRequest.newBuilder(gateway.uri(CHAT))
			.timeout(Duration.ofSeconds(60))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(body))
			.build();
	}

	/**
	 * The test's values over the resource file: the image under test, the backend's URL
	 * and the issuer, known only now.
	 */
	private static Map<String, Object> values(URI backendUrl) {
		Map<String, Object> values;
		try {
			values = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(VALUES));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int colon = IMAGE.lastIndexOf(':');
		boolean tagged = colon > IMAGE.lastIndexOf('/');
		values.put("image", Map.of("repository", tagged ? IMAGE.substring(0, colon) : IMAGE, "tag",
				tagged ? IMAGE.substring(colon + 1) : "latest"));
		backend(values).put("url", backendUrl.toString());
		Map<String, Object> auth = child(child(child(values, "config"), "aoai"), "auth");
		auth.put("issuers", List.of(issuer.issuer()));
		auth.put("jwk-set-uri", issuer.jwkSetUri().toString());
		return values;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> backend(Map<String, Object> values) {
		List<Object> backends = (List<Object>) child(child(child(values, "config"), "aoai"), "routing").get("backends");
		return (Map<String, Object>) backends.get(0);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> child(Map<String, Object> parent, String key) {
		return (Map<String, Object>) parent.get(key);
	}

	private static String env(ChartPod pod, String name) {
		return pod.container()
			.getEnv()
			.stream()
			.filter((variable) -> variable.getName().equals(name))
			.map(EnvVar::getValue)
			.findFirst()
			.orElseThrow(() -> new AssertionError("the chart sets no " + name));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void logOutput(Gateway gateway) {
		logger.error("Output of container " + gateway.container().name() + ":\n" + gateway.container().logs());
	}

	/**
	 * A gateway container and where it listens.
	 *
	 * @param container the container
	 * @param pod the rendered pod it runs
	 * @param port its listen port on the host's network
	 */
	private record Gateway(PodmanContainer container, ChartPod pod, int port) {

		URI uri(String path) {
			return URI.create("http://127.0.0.1:" + this.port + path);
		}

	}

}
