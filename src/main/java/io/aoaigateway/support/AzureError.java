package io.aoaigateway.support;

import org.springframework.http.HttpStatus;

/**
 * An error as Azure OpenAI reports it, {@code {"error":{"code":…,"message":…}}}, so that
 * Azure and OpenAI SDKs surface the gateway's own refusals the way they surface Azure's.
 *
 * @param status HTTP status of the answer
 * @param code Azure's error code, e.g. {@code DeploymentNotFound}
 * @param message a sentence for the caller; never a secret, never a stack trace
 */
public record AzureError(HttpStatus status, String code, String message) {

	public static AzureError of(HttpStatus status, String message) {
		return new AzureError(status, String.valueOf(status.value()), message);
	}

	public static AzureError resourceNotFound() {
		return of(HttpStatus.NOT_FOUND, "Resource not found");
	}

	public static AzureError deploymentNotFound(String deployment) {
		return new AzureError(HttpStatus.NOT_FOUND, "DeploymentNotFound",
				"The API deployment '" + deployment + "' is not served by this gateway.");
	}

	public static AzureError badRequest(String message) {
		return new AzureError(HttpStatus.BAD_REQUEST, "BadRequest", message);
	}

	public static AzureError payloadTooLarge(long maxBytes) {
		return new AzureError(HttpStatus.CONTENT_TOO_LARGE, "RequestEntityTooLarge",
				"The request body is larger than the gateway's limit of " + maxBytes + " bytes.");
	}

	public static AzureError payloadTooLarge() {
		return new AzureError(HttpStatus.CONTENT_TOO_LARGE, "RequestEntityTooLarge",
				"The request body is larger than the gateway's limit.");
	}

	public static AzureError requestTimeout() {
		return new AzureError(HttpStatus.REQUEST_TIMEOUT, "RequestTimeout",
				"The request did not arrive in time; the connection is closed.");
	}

	public static AzureError uriTooLong() {
		return new AzureError(HttpStatus.URI_TOO_LONG, "RequestUriTooLong",
				"The request line is longer than the gateway's limit.");
	}

	public static AzureError headersTooLarge() {
		return new AzureError(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "RequestHeaderFieldsTooLarge",
				"The request headers are larger than the gateway's limit.");
	}

	public static AzureError notImplemented(String message) {
		return new AzureError(HttpStatus.NOT_IMPLEMENTED, "NotImplemented", message);
	}

	public static AzureError bodyMemoryExhausted() {
		return new AzureError(HttpStatus.SERVICE_UNAVAILABLE, "ServiceUnavailable",
				"The gateway is holding as many request bodies as it can; retry shortly.");
	}

}
