package io.aoaigateway.quota;

/**
 * What a window counts.
 */
public enum QuotaUnit {

	/** Input plus output tokens. */
	TOKENS {
		@Override
		public long of(Amount amount) {
			return amount.tokens();
		}
	},

	/** Cost, in integer micro-units of the currency. */
	COST {
		@Override
		public long of(Amount amount) {
			return amount.cost();
		}
	};

	/**
	 * @param amount what a call holds or spends
	 * @return its part in this unit
	 */
	public abstract long of(Amount amount);

}
