package io.aoaigateway.keys;

import java.util.Locale;

/**
 * How the gateway answered one call that carried a caller key; the {@code outcome} tag of
 * {@code aoai.gateway.caller.key.auth}. Callers see less: unknown, revoked, wrong and
 * malformed keys get the same 401.
 */
enum CallerKeyOutcome {

	/** The key is valid: the call goes on as its app. */
	ACCEPTED,

	/** Not a well-formed caller key (or an {@code api-key} that is no caller key). */
	MALFORMED,

	/** No such key id: never issued, or revoked. */
	UNKNOWN,

	/** The key id exists, the secret does not match. */
	WRONG_SECRET,

	/** The right key, past its expiry. */
	EXPIRED,

	/** A caller key together with another credential: one must be sent, not both. */
	CONFLICT,

	/** The call's source sent too many bad keys lately: refused before any check. */
	THROTTLED,

	/** The key set could not be loaded recently enough to know the key is not revoked. */
	UNAVAILABLE;

	/**
	 * @return the metric tag value, e.g. {@code wrong_secret}
	 */
	String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
