package io.aoaigateway.simulator;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * How one simulated Azure OpenAI resource behaves: its name, key, deployments, port,
 * streaming shape, throttling, capacity, latency, clock, and how callers authenticate.
 *
 * @param name short name, used in generated answers and logs
 * @param apiKey the only key accepted in the {@code api-key} header
 * @param deployments deployment names the resource hosts, in the set's iteration order;
 * the first one serves {@code /models/chat/completions} calls without a {@code model}
 * @param port the port on 127.0.0.1, 0 for any free one
 * @param streamChunks content events (one word each) in a streamed answer
 * @param streamPace gap between two streamed events
 * @param throttleRate probability, from 0 to 1, that a call is answered with 429
 * @param region value of the {@code x-ms-region} header
 * @param keyAuth whether the {@code api-key} header is accepted; {@code false} is Azure's
 * {@code disableLocalAuth}, where a key is refused with 403
 * @param bearerCheck whether a token in {@code Authorization: Bearer} is valid for this
 * resource, e.g. {@code localEntra::isValid}; {@code null} refuses every token
 * @param capacities the scripted capacity of some hosted deployments, by name; the others
 * admit every call, as Azure's report-only headers pretend
 * @param latency how long a successful non-streamed answer waits before it is sent,
 * without holding a thread, so that tests can have calls in flight
 * @param clock the clock of {@code created} timestamps, rate-limit and capacity windows,
 * throttles and arrival times
 */
public record SimulatorSettings(String name, String apiKey, Set<String> deployments, int port, int streamChunks,
		Duration streamPace, double throttleRate, String region, boolean keyAuth,
		@Nullable Predicate<String> bearerCheck, Map<String, Capacity> capacities, Duration latency, Clock clock) {

	public SimulatorSettings {
		requireText(name, "name");
		requireText(apiKey, "apiKey");
		requireText(region, "region");
		Objects.requireNonNull(deployments, "deployments must not be null");
		deployments.forEach((deployment) -> requireText(deployment, "deployments"));
		deployments = Collections.unmodifiableSet(new LinkedHashSet<>(deployments));
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
		}
		if (streamChunks < 0) {
			throw new IllegalArgumentException("streamChunks must not be negative, was " + streamChunks);
		}
		Objects.requireNonNull(streamPace, "streamPace must not be null");
		if (streamPace.isNegative()) {
			throw new IllegalArgumentException("streamPace must not be negative, was " + streamPace);
		}
		if (!(throttleRate >= 0 && throttleRate <= 1)) {
			throw new IllegalArgumentException("throttleRate must be between 0 and 1, was " + throttleRate);
		}
		Objects.requireNonNull(capacities, "capacities must not be null");
		for (String deployment : capacities.keySet()) {
			if (!deployments.contains(deployment)) {
				throw new IllegalArgumentException(
						"capacities name " + deployment + ", which is not one of the deployments " + deployments);
			}
		}
		capacities = Collections.unmodifiableMap(new LinkedHashMap<>(capacities));
		Objects.requireNonNull(latency, "latency must not be null");
		if (latency.isNegative()) {
			throw new IllegalArgumentException("latency must not be negative, was " + latency);
		}
		Objects.requireNonNull(clock, "clock must not be null");
	}

	/**
	 * Settings without scripted capacity or latency, on the system clock.
	 * @param name short name, used in generated answers and logs
	 * @param apiKey the only key accepted in the {@code api-key} header
	 * @param deployments deployment names the resource hosts
	 * @param port the port on 127.0.0.1, 0 for any free one
	 * @param streamChunks content events (one word each) in a streamed answer
	 * @param streamPace gap between two streamed events
	 * @param throttleRate probability, from 0 to 1, that a call is answered with 429
	 * @param region value of the {@code x-ms-region} header
	 * @param keyAuth whether the {@code api-key} header is accepted
	 * @param bearerCheck whether a bearer token is valid, {@code null} for none
	 */
	public SimulatorSettings(String name, String apiKey, Set<String> deployments, int port, int streamChunks,
			Duration streamPace, double throttleRate, String region, boolean keyAuth,
			@Nullable Predicate<String> bearerCheck) {
		this(name, apiKey, deployments, port, streamChunks, streamPace, throttleRate, region, keyAuth, bearerCheck,
				Map.of(), Duration.ZERO, Clock.systemUTC());
	}

	/**
	 * Settings of a resource that accepts its key only, as before keyless resources.
	 * @param name short name, used in generated answers and logs
	 * @param apiKey the only key accepted in the {@code api-key} header
	 * @param deployments deployment names the resource hosts
	 * @param port the port on 127.0.0.1, 0 for any free one
	 * @param streamChunks content events (one word each) in a streamed answer
	 * @param streamPace gap between two streamed events
	 * @param throttleRate probability, from 0 to 1, that a call is answered with 429
	 * @param region value of the {@code x-ms-region} header
	 */
	public SimulatorSettings(String name, String apiKey, Set<String> deployments, int port, int streamChunks,
			Duration streamPace, double throttleRate, String region) {
		this(name, apiKey, deployments, port, streamChunks, streamPace, throttleRate, region, true, null);
	}

	/**
	 * Settings with a random port, 8 unpaced stream chunks, no throttling, the region
	 * {@code swedencentral}, and key authentication only.
	 * @param name short name of the resource
	 * @param apiKey the key callers must send
	 * @param deployments deployment names the resource hosts
	 * @return the settings
	 */
	public static SimulatorSettings defaults(String name, String apiKey, Set<String> deployments) {
		return new SimulatorSettings(name, apiKey, deployments, 0, 8, Duration.ZERO, 0, "swedencentral");
	}

	public SimulatorSettings withPort(int port) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, port, this.streamChunks, this.streamPace,
				this.throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities, this.latency,
				this.clock);
	}

	public SimulatorSettings withStreamChunks(int streamChunks) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, streamChunks, this.streamPace,
				this.throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities, this.latency,
				this.clock);
	}

	public SimulatorSettings withStreamPace(Duration streamPace) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks, streamPace,
				this.throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities, this.latency,
				this.clock);
	}

	public SimulatorSettings withThrottleRate(double throttleRate) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities,
				this.latency, this.clock);
	}

	public SimulatorSettings withRegion(String region) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, region, this.keyAuth, this.bearerCheck, this.capacities,
				this.latency, this.clock);
	}

	/**
	 * @param keyAuth whether the {@code api-key} header is accepted; {@code false} is
	 * Azure's {@code disableLocalAuth}
	 * @return the settings with key authentication on or off
	 */
	public SimulatorSettings withKeyAuth(boolean keyAuth) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, keyAuth, this.bearerCheck, this.capacities,
				this.latency, this.clock);
	}

	/**
	 * @param bearerCheck whether a bearer token (without {@code Bearer }) is valid for
	 * this resource, e.g. {@code localEntra::isValid}
	 * @return the settings accepting the tokens the check accepts
	 */
	public SimulatorSettings withBearerCheck(Predicate<String> bearerCheck) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, this.keyAuth,
				Objects.requireNonNull(bearerCheck, "bearerCheck must not be null"), this.capacities, this.latency,
				this.clock);
	}

	/**
	 * Scripts a deployment's capacity: at most {@code requests} calls and {@code tokens}
	 * estimated tokens per minute; more gets Azure's 429.
	 * @param deployment a hosted deployment
	 * @param requests calls per minute, or {@link Capacity#UNLIMITED}
	 * @param tokens estimated tokens per minute, or {@link Capacity#UNLIMITED}
	 * @return the settings with that capacity
	 * @see Capacity#estimate(String, Integer)
	 */
	public SimulatorSettings withCapacity(String deployment, long requests, long tokens) {
		return withCapacity(deployment, Capacity.perMinute(requests, tokens));
	}

	/**
	 * Scripts a deployment's capacity.
	 * @param deployment a hosted deployment
	 * @param capacity its limits and window
	 * @return the settings with that capacity
	 */
	public SimulatorSettings withCapacity(String deployment, Capacity capacity) {
		Map<String, Capacity> capacities = new LinkedHashMap<>(this.capacities);
		capacities.put(deployment, Objects.requireNonNull(capacity, "capacity must not be null"));
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, this.keyAuth, this.bearerCheck, capacities,
				this.latency, this.clock);
	}

	/**
	 * Scripts the same capacity, counted separately, for every hosted deployment.
	 * @param capacity the limits and window of each
	 * @return the settings with that capacity
	 */
	public SimulatorSettings withCapacity(Capacity capacity) {
		Map<String, Capacity> capacities = new LinkedHashMap<>();
		this.deployments.forEach((deployment) -> capacities.put(deployment, capacity));
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, this.keyAuth, this.bearerCheck, capacities,
				this.latency, this.clock);
	}

	/**
	 * @param latency how long a successful non-streamed answer waits before it is sent
	 * @return the settings with that latency
	 */
	public SimulatorSettings withLatency(Duration latency) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities,
				latency, this.clock);
	}

	/**
	 * @param clock the clock of timestamps, windows, throttles and arrival times, e.g.
	 * one a test moves
	 * @return the settings on that clock
	 */
	public SimulatorSettings withClock(Clock clock) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, this.region, this.keyAuth, this.bearerCheck, this.capacities,
				this.latency, clock);
	}

	@Override
	public String toString() {
		return "SimulatorSettings[name=" + this.name + ", apiKey=****, deployments=" + this.deployments + ", port="
				+ this.port + ", streamChunks=" + this.streamChunks + ", streamPace=" + this.streamPace
				+ ", throttleRate=" + this.throttleRate + ", region=" + this.region + ", keyAuth=" + this.keyAuth
				+ ", bearerCheck=" + ((this.bearerCheck != null) ? "set" : "none") + ", capacities=" + this.capacities
				+ ", latency=" + this.latency + ", clock=" + this.clock + "]";
	}

	private static void requireText(String value, String name) {
		Objects.requireNonNull(value, () -> name + " must not be null");
		if (value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be blank");
		}
	}

}
