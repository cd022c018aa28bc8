package io.aoaigateway.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The capacity of one simulated deployment while the simulator runs, from
 * {@link AzureOpenAiSimulator#capacity(String)}: its limits, which a test may change, the
 * usage of the current window, a scripted throttle, and how many calls were admitted and
 * refused.
 * <p>
 * Every method is thread-safe. Admission is one critical section per deployment, so
 * concurrent calls never admit more than the limits allow.
 */
public final class DeploymentCapacity {

	private final String deployment;

	private final Clock clock;

	private final Capacity initial;

	private Capacity limits;

	private long windowIndex = Long.MIN_VALUE;

	private long usedRequests;

	private long usedTokens;

	private long throttledUntilMillis = Long.MIN_VALUE;

	private long admitted;

	private long refused;

	DeploymentCapacity(String deployment, Capacity initial, Clock clock) {
		this.deployment = deployment;
		this.initial = initial;
		this.limits = initial;
		this.clock = clock;
	}

	/**
	 * @return the deployment's name
	 */
	public String deployment() {
		return this.deployment;
	}

	/**
	 * @return the limits in force
	 */
	public synchronized Capacity limits() {
		return this.limits;
	}

	/**
	 * Changes the limits from the next call on, keeping the window's length and what the
	 * current window has used: lowering a limit below the usage refuses every call until
	 * the window resets.
	 * @param requests calls admitted per window, or {@link Capacity#UNLIMITED}
	 * @param tokens estimated tokens admitted per window, or {@link Capacity#UNLIMITED}
	 * @return this handle
	 */
	public synchronized DeploymentCapacity set(long requests, long tokens) {
		this.limits = new Capacity(requests, tokens, this.limits.window());
		return this;
	}

	/**
	 * Changes the limits and the window's length from the next call on; a new length
	 * starts a fresh window.
	 * @param capacity the new limits
	 * @return this handle
	 */
	public synchronized DeploymentCapacity set(Capacity capacity) {
		Objects.requireNonNull(capacity, "capacity must not be null");
		if (!capacity.window().equals(this.limits.window())) {
			this.windowIndex = Long.MIN_VALUE;
		}
		this.limits = capacity;
		return this;
	}

	/**
	 * Refuses every call with 429 until the given instant of the simulator's clock,
	 * whatever the limits; {@code retry-after-ms} is the time left. Calls refused this
	 * way use none of the window's capacity. An instant in the past ends the throttle.
	 * @param until when calls are admitted again
	 * @return this handle
	 */
	public synchronized DeploymentCapacity exhaustUntil(Instant until) {
		this.throttledUntilMillis = until.toEpochMilli();
		return this;
	}

	/**
	 * Refuses every call with 429 for a while from now on the simulator's clock.
	 * {@code Duration.ZERO} ends a throttle.
	 * @param duration how long
	 * @return this handle
	 * @see #exhaustUntil(Instant)
	 */
	public DeploymentCapacity throttleFor(Duration duration) {
		return exhaustUntil(this.clock.instant().plus(duration));
	}

	/**
	 * @return the calls admitted since the start or the last reset
	 */
	public synchronized long admitted() {
		return this.admitted;
	}

	/**
	 * @return the calls refused with 429 since the start or the last reset
	 */
	public synchronized long refused() {
		return this.refused;
	}

	/**
	 * @return the calls the current window may still admit, or {@link Capacity#UNLIMITED}
	 */
	public synchronized long remainingRequests() {
		roll(this.clock.millis());
		return remaining(this.limits.requests(), this.usedRequests);
	}

	/**
	 * @return the estimated tokens the current window may still admit, or
	 * {@link Capacity#UNLIMITED}
	 */
	public synchronized long remainingTokens() {
		roll(this.clock.millis());
		return remaining(this.limits.tokens(), this.usedTokens);
	}

	/**
	 * Admits a call, or refuses it with the time until it could be admitted.
	 * @param tokens the call's estimated tokens
	 * @return the decision
	 */
	synchronized Decision admit(long tokens) {
		long now = this.clock.millis();
		if (now < this.throttledUntilMillis) {
			this.refused++;
			return new Decision(false, false, this.throttledUntilMillis - now, exhaustedHeaders());
		}
		roll(now);
		boolean requestsLeft = this.limits.requests() == Capacity.UNLIMITED
				|| this.usedRequests + 1 <= this.limits.requests();
		boolean tokensLeft = this.limits.tokens() == Capacity.UNLIMITED
				|| this.usedTokens + tokens <= this.limits.tokens();
		if (!requestsLeft || !tokensLeft) {
			this.refused++;
			long windowMillis = this.limits.window().toMillis();
			long reset = (this.windowIndex + 1) * windowMillis - now;
			return new Decision(false, !requestsLeft, reset, headers());
		}
		this.usedRequests++;
		this.usedTokens += tokens;
		this.admitted++;
		return new Decision(true, false, 0, headers());
	}

	/**
	 * Back to the limits of the settings, with no usage, throttle or counts.
	 */
	synchronized void reset() {
		this.limits = this.initial;
		this.windowIndex = Long.MIN_VALUE;
		this.usedRequests = 0;
		this.usedTokens = 0;
		this.throttledUntilMillis = Long.MIN_VALUE;
		this.admitted = 0;
		this.refused = 0;
	}

	private void roll(long now) {
		long index = Math.floorDiv(now, this.limits.window().toMillis());
		if (index != this.windowIndex) {
			this.windowIndex = index;
			this.usedRequests = 0;
			this.usedTokens = 0;
		}
	}

	// Only the limited dimensions: the simulator's report-only counters speak for the
	// others.
	private Map<String, String> headers() {
		Map<String, String> headers = new LinkedHashMap<>();
		if (this.limits.requests() != Capacity.UNLIMITED) {
			headers.put("x-ratelimit-limit-requests", String.valueOf(this.limits.requests()));
			headers.put("x-ratelimit-remaining-requests",
					String.valueOf(remaining(this.limits.requests(), this.usedRequests)));
		}
		if (this.limits.tokens() != Capacity.UNLIMITED) {
			headers.put("x-ratelimit-limit-tokens", String.valueOf(this.limits.tokens()));
			headers.put("x-ratelimit-remaining-tokens",
					String.valueOf(remaining(this.limits.tokens(), this.usedTokens)));
		}
		return headers;
	}

	private Map<String, String> exhaustedHeaders() {
		Map<String, String> headers = headers();
		headers.put("x-ratelimit-remaining-requests", "0");
		headers.put("x-ratelimit-remaining-tokens", "0");
		return headers;
	}

	private static long remaining(long limit, long used) {
		return (limit == Capacity.UNLIMITED) ? Capacity.UNLIMITED : Math.max(0, limit - used);
	}

	@Override
	public synchronized String toString() {
		return "DeploymentCapacity[" + this.deployment + ", " + this.limits + ", admitted=" + this.admitted
				+ ", refused=" + this.refused + "]";
	}

	/**
	 * Whether a call may run.
	 *
	 * @param admitted whether it was admitted
	 * @param callLimit whether it was refused for the request limit rather than the token
	 * limit or a throttle
	 * @param retryAfterMillis for a refused call, the time until its window resets or its
	 * throttle ends
	 * @param headers the {@code x-ratelimit-*} headers of the limited dimensions
	 */
	record Decision(boolean admitted, boolean callLimit, long retryAfterMillis, Map<String, String> headers) {

	}

}
