package io.aoaigateway.routing;

import org.springframework.http.HttpMethod;

/**
 * What a call does, classified once from its family, method and path: how it is estimated
 * and charged, and its name in metrics.
 */
public enum ApiOperation {

	/** Chat completions: usage in the JSON body, or in a stream's last chunk. */
	CHAT("chat", true),

	/** Legacy completions. */
	COMPLETIONS("completions", true),

	/** Embeddings: input tokens only. */
	EMBEDDINGS("embeddings", true),

	/** Creating a Response. */
	RESPONSES("responses", true),

	/**
	 * AI Model Inference chat: its schema has no {@code user} and rejects unknown fields.
	 */
	INFERENCE("inference", false),

	/** Creating an Assistants run: charged once, when the run ends. */
	RUN("run", false),

	/**
	 * Anything that spends no tokens the gateway can count (audio, images, files,
	 * reads…).
	 */
	OTHER("other", false);

	private final String tag;

	private final boolean acceptsUser;

	ApiOperation(String tag, boolean acceptsUser) {
		this.tag = tag;
		this.acceptsUser = acceptsUser;
	}

	/**
	 * @return the operation's name in metrics
	 */
	public String tag() {
		return this.tag;
	}

	/**
	 * @return whether the request schema has a {@code user} member the gateway may set
	 */
	public boolean acceptsUser() {
		return this.acceptsUser;
	}

	/**
	 * @return whether the call spends tokens the gateway counts
	 */
	public boolean metered() {
		return this != OTHER;
	}

	/**
	 * Classifies a call.
	 * @param family the route's family
	 * @param method the HTTP method
	 * @param path the request path, without query
	 * @return the operation; {@link #OTHER} for anything but a POST that spends tokens
	 */
	public static ApiOperation of(ApiFamily family, @org.jspecify.annotations.Nullable HttpMethod method, String path) {
		if (!HttpMethod.POST.equals(method)) {
			return OTHER;
		}
		String trimmed = (path.length() > 1 && path.endsWith("/")) ? path.substring(0, path.length() - 1) : path;
		return switch (family) {
			case DEPLOYMENTS, V1 -> byPath(trimmed);
			case MODEL_INFERENCE -> INFERENCE;
			case ASSISTANTS -> assistants(trimmed);
			case IMAGE_OPERATIONS -> OTHER;
		};
	}

	private static ApiOperation byPath(String path) {
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
		return OTHER;
	}

	private static ApiOperation assistants(String path) {
		if (path.equals("/openai/responses")) {
			return RESPONSES;
		}
		// POST /threads/runs, /threads/{t}/runs,
		// /threads/{t}/runs/{r}/submit_tool_outputs
		if (path.startsWith("/openai/threads/") && (path.endsWith("/runs") || path.endsWith("/submit_tool_outputs"))) {
			return RUN;
		}
		return OTHER;
	}

}
