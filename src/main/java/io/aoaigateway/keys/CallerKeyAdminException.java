package io.aoaigateway.keys;

/**
 * A key administration request that cannot be carried out; its message is for the
 * administrator and never holds a key or a hash.
 */
final class CallerKeyAdminException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final Reason reason;

	CallerKeyAdminException(Reason reason, String message) {
		super(message, null, false, false);
		this.reason = reason;
	}

	Reason reason() {
		return this.reason;
	}

	/** Why a request failed. */
	enum Reason {

		/** The request is not valid (a field, the expiry, the grace period). */
		INVALID,

		/** No key has that id. */
		NOT_FOUND,

		/**
		 * The request clashes with the keys as they are: the app has its two valid keys,
		 * the keys changed meanwhile, or they come from configuration.
		 */
		CONFLICT

	}

}
