package io.aoaigateway.resilience;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How long a backend may stay silent once its response headers are out: a stream's events
 * come at the model's pace, any other answer comes in one go. Decided from the backend's
 * own {@code Content-Type}, read leniently: a value that does not parse still gets a
 * timeout, the one for plain bodies.
 */
final class IdleTimeouts {

	/** The kind of answer, as tagged on the idle-timeout metric. */
	enum Kind {

		/** {@code text/event-stream}. */
		STREAM,

		/** Anything else. */
		BODY;

		String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	private final Duration streamIdleTimeout;

	private final Duration bodyIdleTimeout;

	IdleTimeouts(Duration streamIdleTimeout, Duration bodyIdleTimeout) {
		this.streamIdleTimeout = streamIdleTimeout;
		this.bodyIdleTimeout = bodyIdleTimeout;
	}

	static Kind kind(@Nullable String contentType) {
		if (contentType == null) {
			return Kind.BODY;
		}
		String type = contentType.strip().toLowerCase(Locale.ROOT);
		int parameters = type.indexOf(';');
		if (parameters >= 0) {
			type = type.substring(0, parameters).strip();
		}
		return type.equals("text/event-stream") ? Kind.STREAM : Kind.BODY;
	}

	Duration of(Kind kind) {
		return (kind == Kind.STREAM) ? this.streamIdleTimeout : this.bodyIdleTimeout;
	}

}
