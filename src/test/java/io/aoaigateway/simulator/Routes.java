package io.aoaigateway.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Maps a method and a path template such as {@code /openai/threads/{thread}/runs} to a
 * handler.
 */
final class Routes {

	private final List<Route> routes = new ArrayList<>();

	Routes get(String template, Function<Call, Answer> handler) {
		return add("GET", template, handler);
	}

	Routes post(String template, Function<Call, Answer> handler) {
		return add("POST", template, handler);
	}

	Routes delete(String template, Function<Call, Answer> handler) {
		return add("DELETE", template, handler);
	}

	Routes add(String method, String template, Function<Call, Answer> handler) {
		this.routes.add(new Route(method, segments(template), handler));
		return this;
	}

	/**
	 * Finds the handler for a request.
	 * @param request the request
	 * @param path the path to match, which may differ from the request's own
	 * @return the matched handler and its call, or {@code null} when no route matches
	 */
	@Nullable Match match(RecordedRequest request, String path) {
		List<String> segments = segments(path);
		for (Route route : this.routes) {
			Map<String, String> variables = route.match(request.method(), segments);
			if (variables != null) {
				return new Match(route.handler(), new Call(request, variables));
			}
		}
		return null;
	}

	private static List<String> segments(String path) {
		return Arrays.stream(path.split("/")).filter((segment) -> !segment.isEmpty()).toList();
	}

	/**
	 * A handler with the call it should handle.
	 *
	 * @param handler the handler
	 * @param call the call
	 */
	record Match(Function<Call, Answer> handler, Call call) {

		Answer answer() {
			return this.handler.apply(this.call);
		}

	}

	private record Route(String method, List<String> template, Function<Call, Answer> handler) {

		@Nullable Map<String, String> match(String method, List<String> segments) {
			if (!this.method.equals(method) || this.template.size() != segments.size()) {
				return null;
			}
			Map<String, String> variables = new HashMap<>();
			for (int i = 0; i < segments.size(); i++) {
				String expected = this.template.get(i);
				String actual = decode(segments.get(i));
				if (expected.startsWith("{") && expected.endsWith("}")) {
					variables.put(expected.substring(1, expected.length() - 1), actual);
				}
				else if (!expected.equals(actual)) {
					return null;
				}
			}
			return variables;
		}

		// A path segment keeps '+' literally; only %XX escapes are decoded.
		private static String decode(String segment) {
			try {
				return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				return segment;
			}
		}

	}

}
