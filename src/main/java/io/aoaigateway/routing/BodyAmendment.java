package io.aoaigateway.routing;

import org.jspecify.annotations.Nullable;

/**
 * What the gateway adds to a JSON request before sending it, as quotas decided.
 *
 * @param user the caller's pseudonymous {@code user} to set, or null to leave it
 * @param includeUsage whether to ask a chat stream for its usage chunk
 */
public record BodyAmendment(@Nullable String user, boolean includeUsage) {

	/**
	 * @return whether the amendment changes anything
	 */
	public boolean isEmpty() {
		return this.user == null && !this.includeUsage;
	}

}
