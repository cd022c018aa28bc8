package io.aoaigateway.resilience;

import java.time.Duration;
import java.util.Set;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;

/**
 * How long one attempt may wait for a backend's response headers. Azure sends the headers
 * of a non-streamed inference answer only once the whole answer is generated, so those
 * calls get {@code generation-timeout}; a streamed answer's headers come before its first
 * token and every other call generates nothing, so they get the shorter
 * {@code attempt-timeout}.
 */
final class AttemptTimeouts {

	private static final JsonMapper JSON = JsonMapper.shared();

	// Creating a Response generates its answer like a chat completion does, although the
	// route is a stateful one.
	private static final Set<String> RESPONSE_CREATES = Set.of("/openai/responses", "/openai/v1/responses");

	private final Duration attemptTimeout;

	private final Duration generationTimeout;

	AttemptTimeouts(Duration attemptTimeout, Duration generationTimeout) {
		this.attemptTimeout = attemptTimeout;
		this.generationTimeout = generationTimeout;
	}

	/**
	 * The time-to-headers limit of each attempt of a call.
	 * @param method the call's method
	 * @param path the call's path, without query
	 * @param source where the call named its deployment; any but {@code NONE} is
	 * inference
	 * @param body the call's JSON body, null when it was not read (multipart uploads,
	 * GET)
	 * @return the limit
	 */
	Duration of(@Nullable HttpMethod method, String path, DeploymentSource source, byte @Nullable [] body) {
		boolean generates = HttpMethod.POST.equals(method)
				&& (source != DeploymentSource.NONE || RESPONSE_CREATES.contains(trimmed(path)));
		return (generates && !streamed(body)) ? this.generationTimeout : this.attemptTimeout;
	}

	private static String trimmed(String path) {
		return (path.length() > 1 && path.endsWith("/")) ? path.substring(0, path.length() - 1) : path;
	}

	// Top-level "stream": true, read without building a tree; a body that is no JSON
	// object asks for no stream.
	static boolean streamed(byte @Nullable [] body) {
		if (body == null || body.length == 0) {
			return false;
		}
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return false;
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("stream".equals(name)) {
					return value == JsonToken.VALUE_TRUE;
				}
				parser.skipChildren();
			}
			return false;
		}
		catch (JacksonException ex) {
			return false;
		}
	}

}
