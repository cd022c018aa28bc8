package io.aoaigateway.support;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Turns every error that escapes the filters into an Azure-shaped answer, so a client
 * never sees a framework error page, a stack trace or a backend address.
 */
final class AzureErrorWebExceptionHandler implements ErrorWebExceptionHandler {

	private static final Log logger = LogFactory.getLog(AzureErrorWebExceptionHandler.class);

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		AzureError error = toAzureError(ex);
		if (error.status().is5xxServerError()) {
			logger.warn(exchange.getLogPrefix() + error.status().value() + " for " + exchange.getRequest().getMethod()
					+ " " + exchange.getRequest().getPath() + ": " + ex);
		}
		exchange.getResponse().getHeaders().clear();
		if (ex instanceof AuthenticationServiceException) {
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		}
		return GatewayErrors.write(exchange, error);
	}

	private static AzureError toAzureError(Throwable ex) {
		// The token could not be checked (the issuer's keys are unreachable): it may well
		// be valid, so not 401.
		if (ex instanceof AuthenticationServiceException) {
			return AzureError.of(HttpStatus.SERVICE_UNAVAILABLE,
					"The gateway cannot validate access tokens right now; try again shortly.");
		}
		if (ex instanceof DataBufferLimitException) {
			return AzureError.payloadTooLarge();
		}
		if (ex instanceof ResponseStatusException statusException) {
			return fromStatus(statusException.getStatusCode());
		}
		if (ex instanceof TimeoutException) {
			return AzureError.of(HttpStatus.GATEWAY_TIMEOUT, "The backend did not answer in time.");
		}
		if (ex instanceof ConnectException || ex.getCause() instanceof ConnectException) {
			return AzureError.of(HttpStatus.BAD_GATEWAY, "The backend could not be reached.");
		}
		return AzureError.of(HttpStatus.INTERNAL_SERVER_ERROR, "The gateway failed to handle the request.");
	}

	private static AzureError fromStatus(HttpStatusCode code) {
		HttpStatus status = HttpStatus.resolve(code.value());
		if (status == null) {
			status = HttpStatus.INTERNAL_SERVER_ERROR;
		}
		return switch (status) {
			case NOT_FOUND -> AzureError.resourceNotFound();
			case METHOD_NOT_ALLOWED -> AzureError.of(status, "The method is not allowed on this path.");
			case UNSUPPORTED_MEDIA_TYPE -> AzureError.of(status, "The content type is not supported.");
			case GATEWAY_TIMEOUT -> AzureError.of(status, "The backend did not answer in time.");
			case BAD_GATEWAY, SERVICE_UNAVAILABLE -> AzureError.of(status, "The backend could not be reached.");
			default -> AzureError.of(status, status.getReasonPhrase());
		};
	}

}
