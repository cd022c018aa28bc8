package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * What the simulated resource answers to one call, before it is written to the wire.
 */
sealed interface Answer permits Answer.Complete, Answer.EventStream, Answer.Disconnect, Answer.Delayed {

	String JSON = "application/json";

	static Complete json(int status, JsonNode body) {
		return new Complete(status, Map.of("content-type", JSON), Nodes.bytes(body));
	}

	static Complete json(int status, String body) {
		return new Complete(status, Map.of("content-type", JSON), body.getBytes(StandardCharsets.UTF_8));
	}

	static Complete text(int status, String body) {
		return new Complete(status, Map.of("content-type", "text/plain; charset=utf-8"),
				body.getBytes(StandardCharsets.UTF_8));
	}

	static Complete bytes(int status, String contentType, byte[] body) {
		return new Complete(status, Map.of("content-type", contentType), body);
	}

	static Complete empty(int status) {
		return new Complete(status, Map.of(), new byte[0]);
	}

	static EventStream events(List<String> events) {
		return new EventStream(Map.of(), events);
	}

	/**
	 * The same answer with more headers; a later value replaces an earlier one.
	 * @param headers the headers to add
	 * @return the new answer
	 */
	Answer withHeaders(Map<String, String> headers);

	default Answer withHeader(String name, String value) {
		return withHeaders(Map.of(name, value));
	}

	private static Map<String, String> merge(Map<String, String> first, Map<String, String> second) {
		Map<String, String> merged = new LinkedHashMap<>(first);
		merged.putAll(second);
		return Map.copyOf(merged);
	}

	/**
	 * A status, headers and a body of known length.
	 *
	 * @param status the HTTP status
	 * @param headers the headers, names lower-cased
	 * @param body the body
	 */
	record Complete(int status, Map<String, String> headers, byte[] body) implements Answer {

		@Override
		public Complete withHeaders(Map<String, String> headers) {
			return new Complete(this.status, merge(this.headers, headers), this.body);
		}

	}

	/**
	 * A 200 {@code text/event-stream} whose events are written and flushed one by one.
	 *
	 * @param headers the headers, names lower-cased
	 * @param events each event, already framed, i.e. ending with a blank line
	 */
	record EventStream(Map<String, String> headers, List<String> events) implements Answer {

		@Override
		public EventStream withHeaders(Map<String, String> headers) {
			return new EventStream(merge(this.headers, headers), this.events);
		}

	}

	/** The connection closes without a response. */
	record Disconnect() implements Answer {

		@Override
		public Disconnect withHeaders(Map<String, String> headers) {
			return this;
		}

	}

	/**
	 * Another answer, written after a delay.
	 *
	 * @param delay how long to wait
	 * @param answer what to write then
	 */
	record Delayed(Duration delay, Answer answer) implements Answer {

		@Override
		public Delayed withHeaders(Map<String, String> headers) {
			return new Delayed(this.delay, this.answer.withHeaders(headers));
		}

	}

}
