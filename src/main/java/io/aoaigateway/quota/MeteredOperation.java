package io.aoaigateway.quota;

import org.springframework.http.HttpMethod;

/**
 * What kind of token-spending call a request is, which decides how it is estimated,
 * whether the gateway may add {@code user} or {@code stream_options} to it, and how it is
 * charged.
 */
enum MeteredOperation {

	/** Chat completions: usage in the JSON body, or in a stream's last chunk. */
	CHAT(true),

	/** Legacy completions. */
	COMPLETIONS(true),

	/** Embeddings: input tokens only. */
	EMBEDDINGS(true),

	/** Responses API creates. */
	RESPONSES(true),

	/**
	 * AI Model Inference chat: its schema has no {@code user} and rejects unknown fields.
	 */
	INFERENCE(false),

	/** Creates an Assistants run: charged once, when the run ends. */
	RUN(false),

	/** Spends no tokens the gateway can count (audio, images, files, reads...). */
	NONE(false);

	private final boolean acceptsUser;

	MeteredOperation(boolean acceptsUser) {
		this.acceptsUser = acceptsUser;
	}

	boolean acceptsUser() {
		return this.acceptsUser;
	}

	/**
	 * Classifies a request.
	 * @param family the route family
	 * @param method the HTTP method
	 * @param path the request path
	 * @return the operation
	 */
	static MeteredOperation of(String family, HttpMethod method, String path) {
		if (!HttpMethod.POST.equals(method)) {
			return NONE;
		}
		return switch (family) {
			case "deployments", "v1" -> byPath(path);
			case "model-inference" -> INFERENCE;
			case "assistants" -> assistants(path);
			default -> NONE;
		};
	}

	private static MeteredOperation byPath(String path) {
		if (path.endsWith("/chat/completions")) {
			return CHAT;
		}
		if (path.endsWith("/completions")) {
			return COMPLETIONS;
		}
		if (path.endsWith("/embeddings")) {
			return EMBEDDINGS;
		}
		if (path.equals("/openai/v1/responses")) {
			return RESPONSES;
		}
		return NONE;
	}

	private static MeteredOperation assistants(String path) {
		if (path.equals("/openai/responses")) {
			return RESPONSES;
		}
		// POST /threads/runs, /threads/{t}/runs,
		// /threads/{t}/runs/{r}/submit_tool_outputs
		if (path.startsWith("/openai/threads/") && (path.endsWith("/runs") || path.endsWith("/submit_tool_outputs"))) {
			return RUN;
		}
		return NONE;
	}

}
