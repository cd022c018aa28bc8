package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * What backends last said about their room: {@code x-ratelimit-remaining-tokens} and
 * {@code x-ratelimit-remaining-requests} (pay-as-you-go), and
 * {@code azure-openai-deployment-utilization} (provisioned, PTU). A deployment that
 * reported no room is passed over while another can serve, before it answers 429. Per
 * replica, and forgotten after a minute, the longest window Azure's counters use.
 */
final class BackendCapacity {

	private static final Duration FRESH_FOR = Duration.ofMinutes(1);

	private final Map<String, Report> reports = new ConcurrentHashMap<>();

	private final double utilizationThreshold;

	BackendCapacity(int utilizationThresholdPercent) {
		this.utilizationThreshold = utilizationThresholdPercent;
	}

	void record(String key, HttpHeaders headers, Instant now) {
		Long tokens = number(headers.getFirst("x-ratelimit-remaining-tokens"));
		Long requests = number(headers.getFirst("x-ratelimit-remaining-requests"));
		Double utilization = percent(headers.getFirst("azure-openai-deployment-utilization"));
		if (tokens == null && requests == null && utilization == null) {
			return;
		}
		this.reports.put(key, new Report(tokens, requests, utilization, now));
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

	private record Report(@Nullable Long tokens, @Nullable Long requests, @Nullable Double utilization, Instant at) {
	}

}
