package io.aoaigateway.quota;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.RequestFacts;

/**
 * What a call is expected to spend, reserved before it is forwarded.
 * <p>
 * Input: a quarter of the request body's bytes, about one token per four characters of
 * English text, with the JSON syntax around the text as a margin. Output: the call's own
 * cap ({@code max_completion_tokens}, {@code max_tokens}, {@code max_output_tokens})
 * times the choices it asks for, or the configured default when it sets none.
 *
 * @param input estimated input tokens
 * @param output estimated output tokens
 */
record TokenEstimate(long input, long output) {

	/** Creating a run only needs room: the run is charged when it ends. */
	private static final TokenEstimate ROOM_ONLY = new TokenEstimate(1, 0);

	static TokenEstimate of(ApiOperation operation, int bodyBytes, RequestFacts facts, long defaultMaxOutput) {
		if (operation == ApiOperation.RUN) {
			return ROOM_ONLY;
		}
		long input = Math.max(1, (bodyBytes + 3) / 4);
		long output = switch (operation) {
			case EMBEDDINGS, OTHER -> 0;
			default -> saturatedMultiply((facts.maxOutputTokens() != null) ? facts.maxOutputTokens() : defaultMaxOutput,
					facts.choices());
		};
		return new TokenEstimate(input, output);
	}

	/**
	 * Estimates output tokens from generated text, for a stream that ended without usage.
	 * @param characters characters of generated text
	 * @return the estimated tokens, rounded up
	 */
	static long outputOf(long characters) {
		return (characters + 3) / 4;
	}

	long total() {
		return this.input + this.output;
	}

	private static long saturatedMultiply(long a, long b) {
		long high = Math.multiplyHigh(a, b);
		long product = a * b;
		return (high == 0 && product >= 0) ? product : Long.MAX_VALUE / 4;
	}

}
