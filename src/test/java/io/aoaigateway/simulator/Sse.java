package io.aoaigateway.simulator;

import tools.jackson.databind.JsonNode;

/**
 * Frames server-sent events the way Azure OpenAI writes them.
 */
final class Sse {

	static final String DONE = "data: [DONE]\n\n";

	static final String DONE_EVENT = "event: done\n" + DONE;

	private Sse() {
	}

	static String data(JsonNode data) {
		return "data: " + Nodes.string(data) + "\n\n";
	}

	static String event(String name, JsonNode data) {
		return "event: " + name + "\n" + data(data);
	}

}
