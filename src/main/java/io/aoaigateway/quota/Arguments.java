package io.aoaigateway.quota;

import java.time.Duration;

/**
 * Checks of the arguments both ledgers take, so that they refuse the same mistakes.
 */
final class Arguments {

	private Arguments() {
	}

	static void requireNotNegative(String name, long value) {
		if (value < 0) {
			throw new IllegalArgumentException(name + " must not be negative, was " + value);
		}
	}

	static void requirePositive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
	}

}
