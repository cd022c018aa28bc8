package io.aoaigateway.usage;

/**
 * Tokens one call used, as the backend reported them. Cached input tokens are part of the
 * input tokens, and reasoning tokens part of the output tokens; they are kept apart for
 * reporting, not added again.
 *
 * @param inputTokens prompt tokens ({@code prompt_tokens} or {@code input_tokens})
 * @param outputTokens generated tokens ({@code completion_tokens} or
 * {@code output_tokens}); 0 for embeddings
 * @param cachedInputTokens input tokens served from the prompt cache
 * @param reasoningTokens output tokens spent on reasoning
 * @see #MAX_TOKENS
 */
public record TokenUsage(long inputTokens, long outputTokens, long cachedInputTokens, long reasoningTokens) {

	/**
	 * Largest count of one kind that one call can report: 10^9 tokens. The largest
	 * context windows of Azure OpenAI models hold about a million tokens and one call
	 * generates at most a few hundred thousand, so a larger count is a broken or hostile
	 * backend, not usage. The ceiling also keeps every sum of counts far from overflow: a
	 * window would need more than 4 billion such calls to reach {@link Long#MAX_VALUE}.
	 */
	public static final long MAX_TOKENS = 1_000_000_000L;

	public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

	public TokenUsage {
		if (!valid(inputTokens) || !valid(outputTokens) || !valid(cachedInputTokens) || !valid(reasoningTokens)) {
			throw new IllegalArgumentException("token counts must be between 0 and " + MAX_TOKENS);
		}
	}

	/**
	 * @return what a quota charges: input plus output tokens (Azure's own
	 * {@code total_tokens} is not always their sum)
	 */
	public long totalTokens() {
		return addSaturated(this.inputTokens, this.outputTokens);
	}

	/**
	 * Adds two non-negative counts, staying at {@link Long#MAX_VALUE} rather than
	 * overflowing.
	 * @param first a count
	 * @param second another count
	 * @return their sum, at most {@link Long#MAX_VALUE}
	 */
	public static long addSaturated(long first, long second) {
		long sum = first + second;
		return (((first ^ sum) & (second ^ sum)) < 0) ? ((first < 0) ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
	}

	private static boolean valid(long count) {
		return count >= 0 && count <= MAX_TOKENS;
	}

}
