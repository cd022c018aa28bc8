package io.aoaigateway.simulator;

import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One call matched to a route: the recorded request plus the variables taken from its
 * path.
 *
 * @param request the request as received
 * @param variables path variables by name, percent-decoded
 */
record Call(RecordedRequest request, Map<String, String> variables) {

	String variable(String name) {
		return Objects.requireNonNull(this.variables.get(name), () -> "No path variable " + name);
	}

	@Nullable String query(String name) {
		return this.request.queryParameter(name);
	}

	/**
	 * The {@code api-version} of this call as a query string to append to a URL the
	 * answer points to.
	 * @return e.g. {@code ?api-version=2024-10-21}, or empty without an api-version
	 */
	String apiVersionQuery() {
		String apiVersion = query("api-version");
		return (apiVersion != null) ? "?api-version=" + apiVersion : "";
	}

	/**
	 * The body as a JSON object.
	 * @return the parsed body
	 * @throws Rejection with a 400 when the body is missing or not a JSON object
	 */
	ObjectNode json() {
		byte[] body = this.request.body();
		if (body.length == 0) {
			throw new Rejection(AzureErrors.badRequest("The request body is empty; a JSON object is required."));
		}
		return Nodes.parseObject(body);
	}

	/**
	 * The body as a JSON object, where an empty body means {@code {}}.
	 * @return the parsed body
	 */
	ObjectNode jsonOrEmpty() {
		byte[] body = this.request.body();
		return (body.length == 0) ? Nodes.object() : Nodes.parseObject(body);
	}

}
