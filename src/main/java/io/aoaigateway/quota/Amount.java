package io.aoaigateway.quota;

/**
 * What one call holds or spends, in every unit a window can count: each window takes its
 * own part ({@link QuotaUnit#of}), so that one atomic ledger operation covers token and
 * cost windows together.
 *
 * @param tokens input plus output tokens
 * @param cost cost in micro-units of the currency (10^-6), 0 when the call has no price
 */
public record Amount(long tokens, long cost) {

	/** Nothing: a release. */
	public static final Amount ZERO = new Amount(0, 0);

	public Amount {
		Arguments.requireNotNegative("tokens", tokens);
		Arguments.requireNotNegative("cost", cost);
	}

	/**
	 * @param tokens tokens
	 * @return an amount of tokens only
	 */
	public static Amount tokens(long tokens) {
		return new Amount(tokens, 0);
	}

}
