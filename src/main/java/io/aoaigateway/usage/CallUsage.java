package io.aoaigateway.usage;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What one call's response showed of its token usage, once the response has ended.
 *
 * @param reported the usage the backend reported for the call itself, null when it
 * reported none (or the usage belongs to an object charged once, see {@link #deferred})
 * @param generatedCharacters characters of generated text seen in a stream, to estimate
 * the output of a stream that ended without usage
 * @param streamed whether the response was a server-sent event stream
 * @param status the response status, null when no response was started
 * @param completed whether the response was written to its end (not cut by the client
 * leaving or the backend failing)
 * @param cancelled whether the client left before the end
 * @param endedObjects runs and background responses seen in a terminal state with their
 * usage
 * @param ids the ids the answer names: a JSON answer's top-level {@code id} and
 * {@code thread_id} or a stream's created threads and responses, and the output items
 * made inside them
 * @param runningObjects the runs and background responses the answer showed, ended or not
 */
public record CallUsage(@Nullable TokenUsage reported, long generatedCharacters, boolean streamed,
		@Nullable Integer status, boolean completed, boolean cancelled, List<ObjectUsage> endedObjects, AnswerIds ids,
		List<RunningObject> runningObjects) {

	public CallUsage {
		endedObjects = List.copyOf(endedObjects);
		runningObjects = List.copyOf(runningObjects);
	}

	/**
	 * @return whether the answer is a run's or a background response's: its tokens are
	 * charged once per object when it ends ({@code endedObjects}), not with this call
	 */
	public boolean deferred() {
		return !this.endedObjects.isEmpty() || !this.runningObjects.isEmpty();
	}

	/**
	 * @return whether the backend accepted the call (a 2xx status)
	 */
	public boolean succeeded() {
		return this.status != null && this.status >= 200 && this.status < 300;
	}

}
