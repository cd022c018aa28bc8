package io.aoaigateway.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpResponseStatus;
import tools.jackson.databind.node.ObjectNode;

/**
 * Azure OpenAI's error answers, with the bodies and headers the real service sends.
 *
 * @see <a href= "https://learn.microsoft.com/azure/ai-services/openai/reference">Azure
 * OpenAI REST API reference</a>
 */
final class AzureErrors {

	private static final String UNAUTHORIZED = "Access denied due to invalid subscription key or wrong API endpoint. "
			+ "Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
			+ "for your resource.";

	private static final String TOKEN_UNAUTHORIZED = "Unauthorized. Access token is missing, invalid, audience is "
			+ "incorrect (https://cognitiveservices.azure.com), or have expired.";

	private static final String KEY_AUTH_DISABLED = "Key based authentication is disabled for this resource.";

	private static final String DEPLOYMENT_NOT_FOUND = "The API deployment for this resource does not exist. "
			+ "If you created the deployment within the last 5 minutes, please wait a moment and try again.";

	private static final String CONTENT_FILTERED = "The response was filtered due to the prompt triggering Azure "
			+ "OpenAI's content management policy. Please modify your prompt and retry. To learn more about our "
			+ "content filtering policies please read our documentation: "
			+ "https://go.microsoft.com/fwlink/?linkid=2198766";

	private static final Map<String, String> OPERATIONS = Map.of("chat/completions", "ChatCompletions_Create",
			"completions", "Completions_Create", "embeddings", "Embeddings_Create", "audio/transcriptions",
			"AudioTranscriptions_Create", "audio/translations", "AudioTranslations_Create", "audio/speech",
			"AudioSpeech_Create", "images/generations", "ImageGenerations_Create", "responses", "Responses_Create");

	private AzureErrors() {
	}

	static Answer.Complete error(int status, String code, String message) {
		ObjectNode body = Nodes.object();
		body.putObject("error").put("code", code).put("message", message);
		return Answer.json(status, body);
	}

	static Answer.Complete unauthorized() {
		return error(401, "401", UNAUTHORIZED);
	}

	/**
	 * Azure's 401 for an {@code Authorization} header without a valid Entra ID token for
	 * {@code https://cognitiveservices.azure.com}: not the {@code error} object of the
	 * other errors, but {@code statusCode} and {@code message}, as reported in
	 * Azure-Samples/azure-search-openai-demo#458 and microsoft/teams-sdk#1746; no
	 * {@code WWW-Authenticate} header is reported with it.
	 * @return the answer
	 */
	static Answer.Complete tokenUnauthorized() {
		ObjectNode body = Nodes.object();
		body.put("statusCode", 401).put("message", TOKEN_UNAUTHORIZED);
		return Answer.json(401, body);
	}

	/**
	 * Azure's 403 for an {@code api-key} on a resource whose {@code disableLocalAuth} is
	 * set.
	 * @return the answer
	 * @see <a href=
	 * "https://learn.microsoft.com/azure/ai-services/disable-local-auth">Disable local
	 * authentication in Azure AI Services</a>
	 */
	static Answer.Complete keyAuthDisabled() {
		return error(403, "AuthenticationTypeDisabled", KEY_AUTH_DISABLED);
	}

	static Answer.Complete resourceNotFound() {
		return error(404, "404", "Resource not found");
	}

	static Answer.Complete deploymentNotFound() {
		return error(404, "DeploymentNotFound", DEPLOYMENT_NOT_FOUND);
	}

	static Answer.Complete badRequest(String message) {
		return error(400, "BadRequest", message);
	}

	/**
	 * The 404 for an object id the resource does not know, e.g. "No assistant found with
	 * id 'asst_x'."
	 * @param kind what the id names, e.g. {@code assistant}
	 * @param id the id
	 * @return the answer
	 */
	static Answer.Complete notFound(String kind, String id) {
		return error(404, "404", "No " + kind + " found with id '" + id + "'.");
	}

	static Answer.Complete status(int status) {
		return error(status, String.valueOf(status), reason(status));
	}

	/**
	 * Azure's 429 for a deployment over its rate limit.
	 * @param retryAfter how long the caller should wait
	 * @param request the throttled call, named in the message as Azure does
	 * @return the answer
	 */
	static Answer.Complete throttled(Duration retryAfter, RecordedRequest request) {
		return throttled(retryAfter, request, false);
	}

	/**
	 * Azure's 429 for a deployment over its rate limit.
	 * @param retryAfter how long the caller should wait
	 * @param request the throttled call, named in the message as Azure does
	 * @param callLimit whether the requests-per-minute limit refused it, which Azure
	 * words "call rate limit" instead of "token rate limit"
	 * @return the answer
	 */
	static Answer.Complete throttled(Duration retryAfter, RecordedRequest request, boolean callLimit) {
		long millis = retryAfter.toMillis();
		long seconds = (millis + 999) / 1000;
		String apiVersion = request.queryParameter("api-version");
		String message = "Requests to the " + operation(request.path()) + " Operation under Azure OpenAI API version "
				+ ((apiVersion != null) ? apiVersion : "(none)") + " have exceeded " + (callLimit ? "call" : "token")
				+ " rate limit of your current " + "OpenAI S0 pricing tier. Please retry after " + seconds + " second"
				+ ((seconds == 1) ? "" : "s")
				+ ". Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the "
				+ "default rate limit.";
		return error(429, "429", message).withHeaders(Map.of("retry-after-ms", String.valueOf(millis), "retry-after",
				String.valueOf(seconds), "x-ratelimit-remaining-requests", "0", "x-ratelimit-remaining-tokens", "0"));
	}

	/**
	 * Azure's 400 for a prompt the content filter blocked; note {@code innererror} and
	 * {@code content_filter_result}, which differ from the published schema.
	 * @return the answer
	 */
	static Answer.Complete contentFilter() {
		ObjectNode body = Nodes.object();
		ObjectNode error = body.putObject("error");
		error.put("message", CONTENT_FILTERED).putNull("type").put("param", "prompt").put("code", "content_filter");
		error.put("status", 400);
		ObjectNode inner = error.putObject("innererror").put("code", "ResponsibleAIPolicyViolation");
		ObjectNode result = inner.putObject("content_filter_result");
		result.putObject("hate").put("filtered", true).put("severity", "high");
		result.putObject("jailbreak").put("filtered", false).put("detected", false);
		result.putObject("self_harm").put("filtered", false).put("severity", "safe");
		result.putObject("sexual").put("filtered", false).put("severity", "safe");
		result.putObject("violence").put("filtered", false).put("severity", "safe");
		return Answer.json(400, body);
	}

	/**
	 * The AI Model Inference 400 for body fields it does not define, in the Azure.Core
	 * error shape with {@code x-ms-error-code}.
	 * @param fields the undefined fields
	 * @return the answer
	 */
	static Answer.Complete extraParametersNotAllowed(List<String> fields) {
		String code = "extra_parameters_not_allowed";
		ObjectNode body = Nodes.object();
		ObjectNode error = body.putObject("error");
		error.put("code", code)
			.put("message",
					"Extra parameters " + fields + " are not allowed when extra-parameters is not set or set "
							+ "to be 'error'. Set extra-parameters to 'pass-through' to pass to the model.")
			.put("target", "extra-parameters");
		error.putArray("details");
		error.putObject("innererror").put("code", code);
		return Answer.json(400, body).withHeaders(Map.of("x-ms-error-code", code));
	}

	private static String operation(String path) {
		for (Map.Entry<String, String> operation : OPERATIONS.entrySet()) {
			if (path.endsWith("/" + operation.getKey())
					&& !(operation.getKey().equals("completions") && path.endsWith("/chat/completions"))) {
				return operation.getValue();
			}
		}
		return "requested";
	}

	private static String reason(int status) {
		return switch (status) {
			case 400 -> "Bad request";
			case 403 -> "Public access is disabled. Please configure private endpoint.";
			case 408 -> "Request timed out";
			case 500 -> "The server had an error while processing your request. Sorry about that!";
			case 502 -> "Bad gateway";
			case 503 -> "The service is temporarily unable to process your request. Please try again later.";
			case 504 -> "Gateway timeout";
			default -> HttpResponseStatus.valueOf(status).reasonPhrase();
		};
	}

}
