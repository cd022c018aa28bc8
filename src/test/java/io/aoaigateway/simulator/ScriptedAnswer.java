package io.aoaigateway.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * An answer a test queues with {@link AzureOpenAiSimulator#enqueue}; the next calls get
 * the queued answers in order, after the key check and before the normal behaviour.
 */
public sealed interface ScriptedAnswer
		permits ScriptedAnswer.Throttled, ScriptedAnswer.Status, ScriptedAnswer.ContentFilter,
		ScriptedAnswer.Disconnect, ScriptedAnswer.Json, ScriptedAnswer.Normal, ScriptedAnswer.Delayed {

	/**
	 * Azure's 429 with {@code retry-after-ms} and {@code retry-after} (whole seconds,
	 * rounded up).
	 * @param retryAfter how long the caller should wait
	 * @return the answer
	 */
	static ScriptedAnswer throttled(Duration retryAfter) {
		return new Throttled(retryAfter);
	}

	/**
	 * The given status with an Azure-shaped error body.
	 * @param status the HTTP status
	 * @return the answer
	 */
	static ScriptedAnswer status(int status) {
		return new Status(status);
	}

	/**
	 * Azure's 400 for a prompt blocked by the content filter.
	 * @return the answer
	 */
	static ScriptedAnswer contentFilter() {
		return new ContentFilter();
	}

	/**
	 * Closes the connection without writing any response.
	 * @return the answer
	 */
	static ScriptedAnswer disconnect() {
		return new Disconnect();
	}

	/**
	 * An {@code application/json} answer with a body sent as given.
	 * @param status the HTTP status
	 * @param body the body
	 * @return the answer
	 */
	static ScriptedAnswer json(int status, String body) {
		return new Json(status, body);
	}

	/**
	 * The normal behaviour, e.g. to script "429, 200, 429".
	 * @return the answer
	 */
	static ScriptedAnswer normal() {
		return new Normal();
	}

	/**
	 * Another answer, held back for a while, e.g. to exercise timeouts.
	 * @param delay how long to wait before answering
	 * @param answer what to answer then
	 * @return the answer
	 */
	static ScriptedAnswer delayed(Duration delay, ScriptedAnswer answer) {
		return new Delayed(delay, answer);
	}

	/**
	 * See {@link ScriptedAnswer#throttled(Duration)}.
	 *
	 * @param retryAfter how long the caller should wait
	 */
	record Throttled(Duration retryAfter) implements ScriptedAnswer {

		public Throttled {
			Objects.requireNonNull(retryAfter, "retryAfter must not be null");
			if (retryAfter.isNegative()) {
				throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
			}
		}

	}

	/**
	 * See {@link ScriptedAnswer#status(int)}.
	 *
	 * @param status the HTTP status
	 */
	record Status(int status) implements ScriptedAnswer {

		public Status {
			requireStatus(status);
		}

	}

	/** See {@link ScriptedAnswer#contentFilter()}. */
	record ContentFilter() implements ScriptedAnswer {

	}

	/** See {@link ScriptedAnswer#disconnect()}. */
	record Disconnect() implements ScriptedAnswer {

	}

	/**
	 * See {@link ScriptedAnswer#json(int, String)}.
	 *
	 * @param status the HTTP status
	 * @param body the body, sent as given
	 */
	record Json(int status, String body) implements ScriptedAnswer {

		public Json {
			requireStatus(status);
			Objects.requireNonNull(body, "body must not be null");
		}

	}

	/** See {@link ScriptedAnswer#normal()}. */
	record Normal() implements ScriptedAnswer {

	}

	/**
	 * See {@link ScriptedAnswer#delayed(Duration, ScriptedAnswer)}.
	 *
	 * @param delay how long to wait before answering
	 * @param answer what to answer then
	 */
	record Delayed(Duration delay, ScriptedAnswer answer) implements ScriptedAnswer {

		public Delayed {
			Objects.requireNonNull(delay, "delay must not be null");
			Objects.requireNonNull(answer, "answer must not be null");
			if (delay.isNegative()) {
				throw new IllegalArgumentException("delay must not be negative, was " + delay);
			}
		}

	}

	private static void requireStatus(int status) {
		if (status < 100 || status > 599) {
			throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
		}
	}

}
