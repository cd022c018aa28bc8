package io.aoaigateway.simulator;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-deployment, per-minute counters behind the {@code x-ratelimit-*} headers; they only
 * report, they never reject.
 */
final class RateLimits {

	static final long TOKENS_PER_MINUTE = 450_000;

	// Azure grants 6 requests per minute for every 1000 tokens per minute.
	static final long REQUESTS_PER_MINUTE = TOKENS_PER_MINUTE / 1000 * 6;

	private final Clock clock;

	private final Map<String, Window> windows = new ConcurrentHashMap<>();

	RateLimits(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Counts one call and its tokens.
	 * @param deployment the deployment called
	 * @param tokens the tokens the call used
	 * @return the rate-limit headers for the answer
	 */
	Map<String, String> charge(String deployment, long tokens) {
		long minute = this.clock.millis() / 60_000;
		Window window = this.windows.merge(deployment, new Window(minute, tokens, 1),
				(current, added) -> (current.minute() == minute)
						? new Window(minute, current.tokens() + tokens, current.requests() + 1) : added);
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("x-ratelimit-limit-requests", String.valueOf(REQUESTS_PER_MINUTE));
		headers.put("x-ratelimit-remaining-requests",
				String.valueOf(Math.max(0, REQUESTS_PER_MINUTE - window.requests())));
		headers.put("x-ratelimit-limit-tokens", String.valueOf(TOKENS_PER_MINUTE));
		headers.put("x-ratelimit-remaining-tokens", String.valueOf(Math.max(0, TOKENS_PER_MINUTE - window.tokens())));
		return headers;
	}

	void clear() {
		this.windows.clear();
	}

	private record Window(long minute, long tokens, long requests) {

	}

}
