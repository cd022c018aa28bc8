package io.aoaigateway.quota;

import java.time.Instant;
import java.util.Objects;

/**
 * One counter of tokens: one policy's subject in one window, e.g. alice's tokens in the
 * minute that ends at 12:06:00.
 *
 * @param key identifies the subject and the window instance, e.g.
 * {@code user:6f1c…:minute:29483021}; unique across policies
 * @param limit tokens the window allows
 * @param resetsAt when the window ends and a new one starts empty
 */
public record QuotaWindow(String key, long limit, Instant resetsAt) {

	public QuotaWindow {
		Objects.requireNonNull(key, "key must not be null");
		Objects.requireNonNull(resetsAt, "resetsAt must not be null");
		if (limit <= 0) {
			throw new IllegalArgumentException("limit must be positive, was " + limit);
		}
	}

}
