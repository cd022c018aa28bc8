package io.aoaigateway.keys;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Counts bad caller keys per source (client address) in a token bucket: each bad key
 * takes a token, tokens come back at a steady rate, and a source without a token left is
 * refused every key, right or wrong, until one has come back. Guessing a 256-bit key is
 * hopeless anyway; this keeps a stream of bad keys from costing the gateway (and its logs
 * and alerts) more than a trickle.
 * <p>
 * Per replica, and bounded: at most {@code maxSources} sources are remembered, the least
 * recently seen forgotten first, each for as long as its bucket takes to fill again. An
 * IPv6 source counts by its /64 network, which one client usually holds whole.
 */
final class FailedKeyAttempts {

	private final double nanosPerToken;

	private final int burst;

	private final Ticker ticker;

	private final Cache<String, Bucket> sources;

	/**
	 * @param perMinute bad keys a source may send per minute, once its burst is spent
	 * @param burst bad keys a source may send at once
	 * @param maxSources the most sources remembered
	 * @param clock the time buckets fill on
	 */
	FailedKeyAttempts(int perMinute, int burst, int maxSources, Clock clock) {
		if (perMinute < 1 || burst < 1 || maxSources < 1) {
			throw new IllegalArgumentException("perMinute, burst and maxSources must be positive");
		}
		this.nanosPerToken = Duration.ofMinutes(1).toNanos() / (double) perMinute;
		this.burst = burst;
		this.ticker = () -> {
			Instant now = clock.instant();
			return now.getEpochSecond() * 1_000_000_000L + now.getNano();
		};
		this.sources = Caffeine.newBuilder()
			.maximumSize(maxSources)
			.ticker(this.ticker)
			// A bucket left alone that long is full again: nothing to remember.
			.expireAfterAccess(Duration.ofNanos((long) Math.ceil(burst * this.nanosPerToken)))
			.executor(Runnable::run)
			.build();
	}

	/**
	 * How long a source must wait before its next key is checked.
	 * @param source the source
	 * @return zero when its keys are checked now
	 */
	Duration refusedFor(String source) {
		Bucket bucket = this.sources.getIfPresent(source);
		return (bucket != null) ? bucket.waitFor(now(), this.nanosPerToken, this.burst) : Duration.ZERO;
	}

	/**
	 * Counts a bad key from a source.
	 * @param source the source
	 */
	void failed(String source) {
		long now = now();
		this.sources.get(source, (key) -> new Bucket(this.burst, now)).take(now, this.nanosPerToken, this.burst);
	}

	/**
	 * @return how many sources are remembered now
	 */
	long size() {
		this.sources.cleanUp();
		return this.sources.estimatedSize();
	}

	/**
	 * The source a client address counts as.
	 * @param ip the client's address ({@link ClientSource})
	 * @return its IPv4 address, its IPv6 /64 network, or {@code unknown}
	 */
	static String sourceOf(@Nullable InetAddress ip) {
		if (ip == null) {
			return "unknown";
		}
		if (ip instanceof Inet6Address) {
			byte[] bytes = ip.getAddress();
			StringBuilder network = new StringBuilder();
			for (int i = 0; i < 8; i += 2) {
				network.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
			}
			return network.append(":/64").toString();
		}
		return ip.getHostAddress();
	}

	private long now() {
		return this.ticker.read();
	}

	/** One source's tokens. */
	private static final class Bucket {

		private double tokens;

		private long updated;

		Bucket(double tokens, long updated) {
			this.tokens = tokens;
			this.updated = updated;
		}

		synchronized void take(long now, double nanosPerToken, int burst) {
			refill(now, nanosPerToken, burst);
			this.tokens = Math.max(0, this.tokens - 1);
		}

		synchronized Duration waitFor(long now, double nanosPerToken, int burst) {
			refill(now, nanosPerToken, burst);
			// Refills add fractions: a token that is back but for rounding is back.
			if (this.tokens >= 1 - 1e-9) {
				return Duration.ZERO;
			}
			return Duration.ofNanos((long) Math.ceil((1 - this.tokens) * nanosPerToken));
		}

		private void refill(long now, double nanosPerToken, int burst) {
			if (now > this.updated) {
				this.tokens = Math.min(burst, this.tokens + (now - this.updated) / nanosPerToken);
				this.updated = now;
			}
		}

	}

}
