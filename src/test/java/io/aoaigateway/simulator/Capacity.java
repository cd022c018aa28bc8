package io.aoaigateway.simulator;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What one simulated deployment may admit per fixed window: at most {@code requests}
 * calls and {@code tokens} estimated tokens, in windows of {@code window} aligned to the
 * simulator's clock (a window starts at every multiple of its length since the epoch).
 * Either limit may be {@link #UNLIMITED}.
 *
 * @param requests calls admitted per window, or {@link #UNLIMITED}
 * @param tokens estimated tokens admitted per window, or {@link #UNLIMITED}; see
 * {@link #estimate(String, Integer)}
 * @param window the window's length, at least one millisecond
 */
public record Capacity(long requests, long tokens, Duration window) {

	/** No limit on requests or on tokens. */
	public static final long UNLIMITED = -1;

	/** The window of Azure's per-minute limits. */
	public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

	/**
	 * Completion tokens charged at admission when a call names no {@code max_tokens},
	 * {@code max_completion_tokens} or {@code max_output_tokens}.
	 */
	public static final int DEFAULT_MAX_TOKENS = 1000;

	/** Neither limit: the deployment admits everything, as without capacity. */
	public static final Capacity NONE = new Capacity(UNLIMITED, UNLIMITED, DEFAULT_WINDOW);

	public Capacity {
		requireLimit(requests, "requests");
		requireLimit(tokens, "tokens");
		Objects.requireNonNull(window, "window must not be null");
		if (window.toMillis() < 1) {
			throw new IllegalArgumentException("window must be at least 1ms, was " + window);
		}
	}

	/**
	 * Limits per minute.
	 * @param requests calls admitted per minute, or {@link #UNLIMITED}
	 * @param tokens estimated tokens admitted per minute, or {@link #UNLIMITED}
	 * @return the capacity
	 */
	public static Capacity perMinute(long requests, long tokens) {
		return new Capacity(requests, tokens, DEFAULT_WINDOW);
	}

	/**
	 * @param window the window's length
	 * @return the same limits over another window
	 */
	public Capacity withWindow(Duration window) {
		return new Capacity(this.requests, this.tokens, window);
	}

	/**
	 * @return whether either limit is set
	 */
	public boolean limited() {
		return this.requests != UNLIMITED || this.tokens != UNLIMITED;
	}

	/**
	 * The tokens a call is charged at admission, as Azure estimates them before anything
	 * is generated: the prompt's characters divided by 4, rounded up, plus the most the
	 * call may generate.
	 * @param prompt the prompt's text: chat message contents, a completion prompt,
	 * embedding inputs, or a response's input and instructions, joined without separators
	 * @param maxTokens {@code max_tokens}, {@code max_completion_tokens} or
	 * {@code max_output_tokens} of the call, {@code null} for {@link #DEFAULT_MAX_TOKENS}
	 * @return the estimated tokens
	 */
	public static long estimate(String prompt, @Nullable Integer maxTokens) {
		long completion = (maxTokens != null) ? Math.max(0, maxTokens) : DEFAULT_MAX_TOKENS;
		return TextGeneration.tokens(prompt) + completion;
	}

	private static void requireLimit(long limit, String name) {
		if (limit < UNLIMITED) {
			throw new IllegalArgumentException(name + " must be at least 0, or UNLIMITED (-1), was " + limit);
		}
	}

}
