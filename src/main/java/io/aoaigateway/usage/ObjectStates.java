package io.aoaigateway.usage;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * When a stateful object that spends tokens on its own has ended, so that its usage is
 * final: an Assistants run ({@code thread.run}) or a Responses API response.
 */
public final class ObjectStates {

	// Digest 4.4; incomplete is not in the seeds' enum but exists.
	private static final Set<String> RUN_ENDED = Set.of("completed", "failed", "cancelled", "expired", "incomplete");

	private static final Set<String> RESPONSE_ENDED = Set.of("completed", "failed", "cancelled", "incomplete");

	private ObjectStates() {
	}

	/**
	 * @param object the object's type, e.g. {@code thread.run} or {@code response}
	 * @param status its status
	 * @return whether it has ended; false for other types
	 */
	public static boolean ended(@Nullable String object, @Nullable String status) {
		if (status == null) {
			return false;
		}
		if ("thread.run".equals(object)) {
			return RUN_ENDED.contains(status);
		}
		return "response".equals(object) && RESPONSE_ENDED.contains(status);
	}

}
