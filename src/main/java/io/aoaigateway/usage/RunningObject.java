package io.aoaigateway.usage;

import org.jspecify.annotations.Nullable;

/**
 * A stateful object that runs, and spends tokens, on its own: an Assistants run or a
 * background response. Its usage is charged once, when it has ended, however many answers
 * show it.
 *
 * @param id the object's id ({@code resp_…}, {@code run_…})
 * @param threadId the thread of a run, null for a response
 * @param status the last status an answer showed, e.g. {@code queued}
 */
public record RunningObject(String id, @Nullable String threadId, String status) {

	/**
	 * @return whether the object is an Assistants run
	 */
	public boolean run() {
		return this.threadId != null;
	}

}
