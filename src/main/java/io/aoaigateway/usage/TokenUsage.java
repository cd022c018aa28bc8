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
 */
public record TokenUsage(long inputTokens, long outputTokens, long cachedInputTokens, long reasoningTokens) {

	public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

	public TokenUsage {
		if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || reasoningTokens < 0) {
			throw new IllegalArgumentException("token counts must not be negative");
		}
	}

	/**
	 * @return what a quota charges: input plus output tokens (Azure's own
	 * {@code total_tokens} is not always their sum)
	 */
	public long totalTokens() {
		return this.inputTokens + this.outputTokens;
	}

}
