package io.aoaigateway.auth;

import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrorCodes;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a call without a valid token with 401, a {@code WWW-Authenticate} challenge
 * (RFC 6750) and an Azure-shaped body.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6750#section-3">RFC 6750 §3</a>
 */
final class AzureAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

	private final String missing;

	/**
	 * @param keysAccepted whether gateway keys are accepted too, which the answer to a
	 * call without any credential then mentions
	 */
	AzureAuthenticationEntryPoint(boolean keysAccepted) {
		this.missing = keysAccepted
				? "Access denied: send a Microsoft Entra ID access token in the Authorization header (Bearer), or a "
						+ "key issued by this gateway in the api-key header."
				: "Access denied: send a Microsoft Entra ID access token in the Authorization header (Bearer).";
	}

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
		// A token was sent but is unusable (bad signature, expired, malformed...): RFC
		// 6750 says invalid_token.
		boolean invalidToken = ex instanceof OAuth2AuthenticationException oauth
				&& BearerTokenErrorCodes.INVALID_TOKEN.equals(oauth.getError().getErrorCode());
		String challenge = invalidToken ? "Bearer error=\"invalid_token\", error_description=\"The access token is "
				+ "invalid, expired or not meant for this gateway\"" : "Bearer";
		exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
		String message = invalidToken
				? "Access denied: the access token is invalid, expired, from an issuer or tenant that is not accepted, "
						+ "or meant for another audience."
				: this.missing;
		return GatewayErrors.write(exchange, AzureError.of(HttpStatus.UNAUTHORIZED, message));
	}

}
