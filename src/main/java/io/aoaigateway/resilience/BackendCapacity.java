package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * What backends last said about their room: {@code x-ratelimit-remaining-tokens} and
 * {@code x-ratelimit-remaining-requests} (pay-as-you-go, with their
 * {@code x-ratelimit-limit-*}), {@code azure-openai-deployment-utilization} (provisioned,
 * PTU), and 429s. Per replica.
 * <p>
 * Two uses. A deployment whose last report showed no room is passed over while another
 * can serve, before it answers 429 (a preference, forgotten after a minute). And the
 * share of its capacity left, estimated for any moment, decides which priority classes it
 * still serves: the share reported (the lower of tokens and requests) grows back at the
 * rate the limits refill, all of it in {@code refill} (Azure's limits are per minute),
 * until a newer report replaces it. A 429 reports none left. Without a limit in the
 * headers, the largest remaining count seen stands in for it.
 */
final class BackendCapacity {

	private static final Duration FRESH_FOR = Duration.ofMinutes(1);

	private final Map<String, Report> reports = new ConcurrentHashMap<>();

	private final Map<String, Limits> limits = new ConcurrentHashMap<>();

	private final double utilizationThreshold;

	private final long refillNanos;

	BackendCapacity(int utilizationThresholdPercent, Duration refill) {
		this.utilizationThreshold = utilizationThresholdPercent;
		this.refillNanos = refill.toNanos();
	}

	void record(String key, HttpHeaders headers, Instant now) {
		Long tokens = number(headers.getFirst("x-ratelimit-remaining-tokens"));
		Long requests = number(headers.getFirst("x-ratelimit-remaining-requests"));
		Double utilization = percent(headers.getFirst("azure-openai-deployment-utilization"));
		if (tokens == null && requests == null && utilization == null) {
			return;
		}
		Limits known = this.limits.merge(key,
				new Limits(max(number(headers.getFirst("x-ratelimit-limit-tokens")), tokens),
						max(number(headers.getFirst("x-ratelimit-limit-requests")), requests)),
				Limits::widen);
		this.reports.put(key,
				new Report(tokens, requests, utilization, share(tokens, requests, utilization, known), now));
	}

	/**
	 * Notes a 429: the deployment has no room left now.
	 * @param key the backend's deployment
	 * @param now the current time
	 */
	void throttled(String key, Instant now) {
		this.reports.compute(key, (ignored, last) -> new Report((last != null) ? last.tokens() : null,
				(last != null) ? last.requests() : null, (last != null) ? last.utilization() : null, 0.0, now));
	}

	/**
	 * @param key the backend's deployment
	 * @param now the current time
	 * @return whether the deployment's last report showed no room
	 */
	boolean exhausted(String key, Instant now) {
		Report report = this.reports.get(key);
		if (report == null || report.at().plus(FRESH_FOR).isBefore(now)) {
			return false;
		}
		return (report.tokens() != null && report.tokens() <= 0)
				|| (report.requests() != null && report.requests() <= 0)
				|| (report.utilization() != null && report.utilization() >= this.utilizationThreshold);
	}

	/**
	 * Whether a call of a class may not be sent to a deployment, because the room left is
	 * what the classes above it keep.
	 * @param key the backend's deployment
	 * @param floor the class's floor: the share that must be left (0 to 1)
	 * @param now the current time
	 * @return whether the estimated share left is at or below the floor; {@code false}
	 * for a floor of 0 or a deployment that never reported its room
	 */
	boolean reservedAbove(String key, double floor, Instant now) {
		if (floor <= 0) {
			return false;
		}
		Report report = this.reports.get(key);
		return report != null && report.shareAt(now, this.refillNanos) <= floor;
	}

	/**
	 * When a deployment will have more than a floor's share left, if nothing else uses
	 * it.
	 * @param key the backend's deployment
	 * @param floor the class's floor (0 to 1)
	 * @param now the current time
	 * @return the moment, {@code now} or earlier when it has that room already
	 */
	Instant roomAt(String key, double floor, Instant now) {
		Report report = this.reports.get(key);
		if (floor <= 0 || report == null || report.shareAt(now, this.refillNanos) > floor) {
			return now;
		}
		// A nanosecond past the moment the share reaches the floor, when it is above it.
		return report.at().plusNanos((long) Math.ceil((floor - report.share()) * this.refillNanos) + 1);
	}

	// The share left: the least of tokens and requests against their limits; for a
	// provisioned deployment, what utilization leaves below the threshold at which it is
	// passed over.
	private double share(@Nullable Long tokens, @Nullable Long requests, @Nullable Double utilization, Limits known) {
		double share = 1.0;
		share = Math.min(share, fraction(tokens, known.tokens()));
		share = Math.min(share, fraction(requests, known.requests()));
		if (utilization != null) {
			share = Math.min(share, Math.max(0, 1 - utilization / this.utilizationThreshold));
		}
		return share;
	}

	private static double fraction(@Nullable Long remaining, @Nullable Long limit) {
		if (remaining == null || limit == null || limit <= 0) {
			return 1.0;
		}
		return Math.max(0, Math.min(1.0, (double) remaining / limit));
	}

	private static @Nullable Long max(@Nullable Long limit, @Nullable Long remaining) {
		// Azure sometimes sends placeholder limits (-1, 0): the remaining count is then
		// the
		// better bound.
		Long usable = (limit != null && limit > 0) ? limit : null;
		if (usable == null) {
			return remaining;
		}
		return (remaining != null && remaining > usable) ? remaining : usable;
	}

	private static @Nullable Long number(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static @Nullable Double percent(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			double percent = Double.parseDouble(value.trim().replace("%", ""));
			return Double.isFinite(percent) ? percent : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private record Report(@Nullable Long tokens, @Nullable Long requests, @Nullable Double utilization, double share,
			Instant at) {

		double shareAt(Instant now, long refillNanos) {
			long elapsed = Duration.between(this.at, now).toNanos();
			return (elapsed <= 0) ? this.share : Math.min(1.0, this.share + (double) elapsed / refillNanos);
		}

	}

	// The largest limit seen per dimension: a limit header when Azure sends a real one,
	// else the largest remaining count.
	private record Limits(@Nullable Long tokens, @Nullable Long requests) {

		Limits widen(Limits other) {
			return new Limits(larger(this.tokens, other.tokens), larger(this.requests, other.requests));
		}

		private static @Nullable Long larger(@Nullable Long a, @Nullable Long b) {
			if (a == null) {
				return b;
			}
			return (b == null || a >= b) ? a : b;
		}

	}

}
