package io.aoaigateway.simulator;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How one simulated Azure OpenAI resource behaves: its name, key, deployments, port,
 * streaming shape and throttling.
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
 */
public record SimulatorSettings(String name, String apiKey, Set<String> deployments, int port, int streamChunks,
		Duration streamPace, double throttleRate, String region) {

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
	}

	/**
	 * Settings with a random port, 8 unpaced stream chunks, no throttling and the region
	 * {@code swedencentral}.
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
				this.throttleRate, this.region);
	}

	public SimulatorSettings withStreamChunks(int streamChunks) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, streamChunks, this.streamPace,
				this.throttleRate, this.region);
	}

	public SimulatorSettings withStreamPace(Duration streamPace) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks, streamPace,
				this.throttleRate, this.region);
	}

	public SimulatorSettings withThrottleRate(double throttleRate) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, throttleRate, this.region);
	}

	public SimulatorSettings withRegion(String region) {
		return new SimulatorSettings(this.name, this.apiKey, this.deployments, this.port, this.streamChunks,
				this.streamPace, this.throttleRate, region);
	}

	@Override
	public String toString() {
		return "SimulatorSettings[name=" + this.name + ", apiKey=****, deployments=" + this.deployments + ", port="
				+ this.port + ", streamChunks=" + this.streamChunks + ", streamPace=" + this.streamPace
				+ ", throttleRate=" + this.throttleRate + ", region=" + this.region + "]";
	}

	private static void requireText(String value, String name) {
		Objects.requireNonNull(value, () -> name + " must not be null");
		if (value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be blank");
		}
	}

}
