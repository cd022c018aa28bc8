package io.aoaigateway.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * One call as the simulated resource received it, before it answered.
 *
 * @param method the HTTP method, e.g. {@code POST}
 * @param path the path as sent, still percent-encoded
 * @param rawQuery the query string as sent, without the {@code ?}, or {@code null}
 * @param headers every header, names lower-cased, values in arrival order
 * @param body the complete body, empty when there was none
 * @param arrivedAt when the call's headers arrived, on the simulator's clock
 * @param arrivedNanos {@link System#nanoTime()} when the call's headers arrived, to
 * measure intervals between arrivals
 */
public record RecordedRequest(String method, String path, @Nullable String rawQuery, Map<String, List<String>> headers,
		byte[] body, Instant arrivedAt, long arrivedNanos) {

	private static final List<String> SECRET_HEADERS = List.of("api-key", "authorization");

	public RecordedRequest {
		Objects.requireNonNull(method, "method must not be null");
		Objects.requireNonNull(path, "path must not be null");
		Objects.requireNonNull(headers, "headers must not be null");
		Objects.requireNonNull(body, "body must not be null");
		Objects.requireNonNull(arrivedAt, "arrivedAt must not be null");
		Map<String, List<String>> lowerCased = new LinkedHashMap<>();
		headers.forEach((name, values) -> lowerCased.merge(name.toLowerCase(Locale.ROOT), List.copyOf(values),
				(first, second) -> Stream.concat(first.stream(), second.stream()).toList()));
		headers = Map.copyOf(lowerCased);
		body = body.clone();
	}

	/**
	 * A call that arrived now on the system clock.
	 * @param method the HTTP method, e.g. {@code POST}
	 * @param path the path as sent, still percent-encoded
	 * @param rawQuery the query string as sent, without the {@code ?}, or {@code null}
	 * @param headers every header, names lower-cased, values in arrival order
	 * @param body the complete body, empty when there was none
	 */
	public RecordedRequest(String method, String path, @Nullable String rawQuery, Map<String, List<String>> headers,
			byte[] body) {
		this(method, path, rawQuery, headers, body, Instant.now(), System.nanoTime());
	}

	/**
	 * @return a copy of the body
	 */
	@Override
	public byte[] body() {
		return this.body.clone();
	}

	/**
	 * The first value of a header.
	 * @param name the header name, in any case
	 * @return the first value, or {@code null} when the header was not sent
	 */
	public @Nullable String header(String name) {
		List<String> values = this.headers.get(name.toLowerCase(Locale.ROOT));
		return (values == null || values.isEmpty()) ? null : values.get(0);
	}

	/**
	 * The first value of a query parameter, decoded.
	 * @param name the parameter name
	 * @return the value, or {@code null} when the parameter was not sent
	 */
	public @Nullable String queryParameter(String name) {
		if (this.rawQuery == null || this.rawQuery.isEmpty()) {
			return null;
		}
		for (String pair : this.rawQuery.split("&")) {
			int equals = pair.indexOf('=');
			String key = decode((equals < 0) ? pair : pair.substring(0, equals));
			if (key.equals(name)) {
				return (equals < 0) ? "" : decode(pair.substring(equals + 1));
			}
		}
		return null;
	}

	/**
	 * @return the body decoded as UTF-8
	 */
	public String bodyAsString() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	// The same call is equal whenever it arrived: equality is about what was sent.
	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof RecordedRequest that) && this.method.equals(that.method) && this.path.equals(that.path)
				&& Objects.equals(this.rawQuery, that.rawQuery) && this.headers.equals(that.headers)
				&& Arrays.equals(this.body, that.body);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.method, this.path, this.rawQuery, this.headers, Arrays.hashCode(this.body));
	}

	// Keys and tokens never reach a log line or an assertion message.
	@Override
	public String toString() {
		Map<String, Object> shown = new LinkedHashMap<>();
		this.headers.forEach((name, values) -> shown.put(name, SECRET_HEADERS.contains(name) ? "****" : values));
		return "RecordedRequest[" + this.method + " " + this.path + ((this.rawQuery != null) ? "?" + this.rawQuery : "")
				+ ", headers=" + shown + ", body=" + this.body.length + " bytes]";
	}

	private static String decode(String value) {
		try {
			return URLDecoder.decode(value, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return value;
		}
	}

}
