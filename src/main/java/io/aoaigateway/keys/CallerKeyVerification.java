package io.aoaigateway.keys;

import org.jspecify.annotations.Nullable;

/**
 * What the registry found for a presented key.
 *
 * @param outcome accepted, or why not
 * @param key the key's record when accepted
 */
record CallerKeyVerification(CallerKeyOutcome outcome, @Nullable CallerKey key) {

	static CallerKeyVerification accepted(CallerKey key) {
		return new CallerKeyVerification(CallerKeyOutcome.ACCEPTED, key);
	}

	static CallerKeyVerification refused(CallerKeyOutcome outcome) {
		return new CallerKeyVerification(outcome, null);
	}

}
