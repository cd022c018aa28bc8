package io.aoaigateway.resilience;

import java.time.Duration;

import io.aoaigateway.resilience.IdleTimeouts.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which idle timeout an answer gets, from its backend's content type, read leniently.
 */
class IdleTimeoutsTests {

	@ParameterizedTest
	@ValueSource(strings = { "text/event-stream", "text/event-stream; charset=utf-8", "Text/Event-Stream;charset=UTF-8",
			" text/event-stream ; charset=\"utf-8\"", "text/event-stream;" })
	void kindWhenEventStreamWithAnyParametersThenStream(String contentType) {
		assertThat(IdleTimeouts.kind(contentType)).isEqualTo(Kind.STREAM);
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json", "application/json; charset=utf-8", "text/plain", "",
			"text/event-stream, text/event-stream", "text/event-streams", "application/x-ndjson", "audio/mpeg" })
	void kindWhenAnythingElseThenBody(String contentType) {
		assertThat(IdleTimeouts.kind(contentType)).isEqualTo(Kind.BODY);
	}

	@Test
	void kindWhenNoContentTypeThenBody() {
		assertThat(IdleTimeouts.kind(null)).isEqualTo(Kind.BODY);
	}

	@Test
	void ofThenTheTimeoutOfTheKind() {
		IdleTimeouts timeouts = new IdleTimeouts(Duration.ofSeconds(120), Duration.ofSeconds(30));

		assertThat(timeouts.of(Kind.STREAM)).isEqualTo(Duration.ofSeconds(120));
		assertThat(timeouts.of(Kind.BODY)).isEqualTo(Duration.ofSeconds(30));
		assertThat(Kind.STREAM.tag()).isEqualTo("stream");
	}

}
