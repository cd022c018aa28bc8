package io.aoaigateway.routing;

/**
 * The Azure OpenAI API family a route serves, decided once by the route.
 */
public enum ApiFamily {

	/** {@code /openai/deployments/{deployment}/…}: the deployment is in the path. */
	DEPLOYMENTS("deployments", false),

	/** Image generation jobs and their operations: stateful. */
	IMAGE_OPERATIONS("image-operations", true),

	/** Assistants, threads, vector stores, files, batches and Responses: stateful. */
	ASSISTANTS("assistants", true),

	/** {@code /openai/v1/…}: by the body's {@code model}, or stateful. */
	V1("v1", true),

	/**
	 * AI Model Inference ({@code /models/chat/completions}): by the body's {@code model}.
	 */
	MODEL_INFERENCE("model-inference", false);

	private final String tag;

	private final boolean stateful;

	ApiFamily(String tag, boolean stateful) {
		this.tag = tag;
		this.stateful = stateful;
	}

	/**
	 * @return the family's name in metrics, usage records and logs
	 */
	public String tag() {
		return this.tag;
	}

	/**
	 * @return whether calls of this family that name no deployment work on objects that
	 * live on one backend
	 */
	public boolean stateful() {
		return this.stateful;
	}

}
