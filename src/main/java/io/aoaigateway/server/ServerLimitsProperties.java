package io.aoaigateway.server;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what callers may hold of the gateway's connections and memory. The header
 * size limits and the keep-alive idle timeout are Spring Boot's own
 * ({@code server.max-http-request-header-size}, {@code server.netty.*}); see
 * docs/limits.md for all of them together.
 *
 * @param headerReadTimeout longest time from the first byte of a request to the end of
 * its headers; a slower caller gets 408 and its connection is closed (slowloris)
 * @param bodyReadTimeout longest pause between two reads of a request body; a stalled
 * upload gets 408 and its connection is closed
 * @param bodyTotalTimeout longest time to receive a whole request body, however steadily
 * it arrives
 * @param maxConnections most client connections held open at once; further ones are
 * closed as soon as they are accepted
 * @param maxBufferedBodies most bytes of request bodies held in memory at once, across
 * every call (JSON bodies are read whole to be inspected and replayed); a call that would
 * pass it gets 503 with Retry-After
 */
@Validated
@ConfigurationProperties("aoai.server")
public record ServerLimitsProperties(@DefaultValue("10s") Duration headerReadTimeout,
		@DefaultValue("30s") Duration bodyReadTimeout, @DefaultValue("5m") Duration bodyTotalTimeout,
		@DefaultValue("10000") @Positive int maxConnections, @DefaultValue("128MB") DataSize maxBufferedBodies) {

	@AssertTrue(message = "aoai.server.header-read-timeout, body-read-timeout and body-total-timeout must be positive")
	public boolean isTimeoutsPositive() {
		return isPositive(this.headerReadTimeout) && isPositive(this.bodyReadTimeout)
				&& isPositive(this.bodyTotalTimeout);
	}

	@AssertTrue(message = "aoai.server.max-buffered-bodies must be positive")
	public boolean isMaxBufferedBodiesPositive() {
		return this.maxBufferedBodies.toBytes() > 0;
	}

	private static boolean isPositive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

}
