package io.aoaigateway.simulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Runs one simulated Azure OpenAI resource in its own process, e.g. for the benchmark:
 * {@code --name=sim-a --port=8181 --api-key=... --deployments=gpt-4o,text-embedding-3-small
 * --stream-chunks=8 --stream-pace=20ms --throttle-rate=0.0}. With
 * {@code --capacity-requests=N} and/or {@code --capacity-tokens=T}, every deployment
 * admits at most that many calls and estimated tokens per {@code --capacity-window}
 * (default 60s) and answers more with Azure's 429; {@code --latency=20ms} delays every
 * successful non-streamed answer.
 */
public final class SimulatorMain {

	private static final String USAGE = "Usage: SimulatorMain --api-key=KEY [--name=sim] [--port=8181] "
			+ "[--deployments=gpt-4o,...] [--stream-chunks=8] [--stream-pace=20ms] [--throttle-rate=0.0] "
			+ "[--region=swedencentral] [--capacity-requests=N] [--capacity-tokens=T] [--capacity-window=60s] "
			+ "[--latency=0ms] [--log-level=info]";

	private SimulatorMain() {
	}

	/**
	 * Starts the resource and serves until the process is killed.
	 * @param args the options above; {@code --api-key} is required
	 */
	public static void main(String[] args) {
		Options options = Options.parse(args);
		// Outside Spring Boot, Logback would log every connection at DEBUG.
		LoggingSystem.get(SimulatorMain.class.getClassLoader())
			.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, options.logLevel());
		try (AzureOpenAiSimulator simulator = AzureOpenAiSimulator.start(options.settings())) {
			simulator.awaitClose();
		}
	}

	/**
	 * Parsed command-line options.
	 *
	 * @param settings the resource's settings
	 * @param logLevel the root log level
	 */
	record Options(SimulatorSettings settings, LogLevel logLevel) {

		static Options parse(String... args) {
			String name = "sim";
			String apiKey = null;
			Set<String> deployments = new LinkedHashSet<>(Set.of("gpt-4o"));
			int port = 8181;
			int streamChunks = 8;
			Duration streamPace = Duration.ZERO;
			double throttleRate = 0;
			String region = "swedencentral";
			long capacityRequests = Capacity.UNLIMITED;
			long capacityTokens = Capacity.UNLIMITED;
			Duration capacityWindow = Capacity.DEFAULT_WINDOW;
			Duration latency = Duration.ZERO;
			LogLevel logLevel = LogLevel.INFO;
			for (String arg : args) {
				int equals = arg.indexOf('=');
				if (!arg.startsWith("--") || equals < 0) {
					throw new IllegalArgumentException("Unexpected argument '" + arg + "'. " + USAGE);
				}
				String value = arg.substring(equals + 1);
				switch (arg.substring(2, equals)) {
					case "name" -> name = value;
					case "api-key" -> apiKey = value;
					case "port" -> port = Integer.parseInt(value);
					case "deployments" -> deployments = new LinkedHashSet<>(
							Arrays.stream(value.split(",")).map(String::trim).filter((d) -> !d.isEmpty()).toList());
					case "stream-chunks" -> streamChunks = Integer.parseInt(value);
					case "stream-pace" -> streamPace = duration(value);
					case "throttle-rate" -> throttleRate = Double.parseDouble(value);
					case "region" -> region = value;
					case "capacity-requests" -> capacityRequests = Long.parseLong(value);
					case "capacity-tokens" -> capacityTokens = Long.parseLong(value);
					case "capacity-window" -> capacityWindow = duration(value);
					case "latency" -> latency = duration(value);
					case "log-level" -> logLevel = LogLevel.valueOf(value.toUpperCase(Locale.ROOT));
					default -> throw new IllegalArgumentException("Unknown option '" + arg + "'. " + USAGE);
				}
			}
			if (apiKey == null) {
				throw new IllegalArgumentException("--api-key is required. " + USAGE);
			}
			SimulatorSettings settings = new SimulatorSettings(name, apiKey, deployments, port, streamChunks,
					streamPace, throttleRate, region)
				.withLatency(latency);
			Capacity capacity = new Capacity(capacityRequests, capacityTokens, capacityWindow);
			if (capacity.limited()) {
				settings = settings.withCapacity(capacity);
			}
			return new Options(settings, logLevel);
		}

		// Accepts 20ms, 2s, 1m, a bare number of milliseconds, or ISO-8601 (PT0.02S).
		static Duration duration(String value) {
			String trimmed = value.trim().toLowerCase(Locale.ROOT);
			try {
				if (trimmed.endsWith("ms")) {
					return Duration.ofMillis(Long.parseLong(trimmed.substring(0, trimmed.length() - 2)));
				}
				if (trimmed.endsWith("s") && !trimmed.startsWith("p")) {
					return Duration.ofSeconds(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
				}
				if (trimmed.endsWith("m") && !trimmed.startsWith("p")) {
					return Duration.ofMinutes(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
				}
				if (trimmed.startsWith("p")) {
					return Duration.parse(value.trim());
				}
				return Duration.ofMillis(Long.parseLong(trimmed));
			}
			catch (NumberFormatException | DateTimeParseException ex) {
				throw new IllegalArgumentException("Invalid duration '" + value + "', e.g. 20ms or 1s", ex);
			}
		}

	}

}
