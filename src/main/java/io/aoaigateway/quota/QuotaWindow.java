package io.aoaigateway.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * One counter: one policy's subject in one window, in one unit, e.g. alice's tokens in
 * the minute that ends at 12:06:00, or the cost of her calls on 25 November.
 *
 * @param key identifies the subject, the unit and the window instance, e.g.
 * {@code user:6f1c…:minute:29483021}; unique across policies and units
 * @param unit what the window counts: tokens, or cost in micro-units
 * @param limit what the window allows, in its unit
 * @param resetsAt when the window ends and a new one starts empty
 */
public record QuotaWindow(String key, QuotaUnit unit, long limit, Instant resetsAt) {

	public QuotaWindow {
		Objects.requireNonNull(key, "key must not be null");
		Objects.requireNonNull(unit, "unit must not be null");
		Objects.requireNonNull(resetsAt, "resetsAt must not be null");
		if (limit <= 0) {
			throw new IllegalArgumentException("limit must be positive, was " + limit);
		}
	}

	/**
	 * A window of tokens.
	 * @param key identifies the subject and the window instance
	 * @param limit tokens the window allows
	 * @param resetsAt when the window ends
	 */
	public QuotaWindow(String key, long limit, Instant resetsAt) {
		this(key, QuotaUnit.TOKENS, limit, resetsAt);
	}

	/**
	 * @param amount what a call holds or spends
	 * @return its part in this window's unit
	 */
	public long of(Amount amount) {
		return this.unit.of(amount);
	}

}
