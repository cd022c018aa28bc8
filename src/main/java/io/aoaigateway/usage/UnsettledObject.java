package io.aoaigateway.usage;

import org.jspecify.annotations.Nullable;

/**
 * A stateful object an answer showed still running, whose usage is charged once when it
 * ends: a background response, or an Assistants run.
 *
 * @param id the object's id ({@code resp_…}, {@code run_…})
 * @param threadId the thread of a run, null for a response
 * @param status the status the answer showed, e.g. {@code queued}
 */
public record UnsettledObject(String id, @Nullable String threadId, String status) {

	/**
	 * @return whether the object is an Assistants run
	 */
	public boolean run() {
		return this.threadId != null;
	}

}
