package io.aoaigateway.auth;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.BearerTokenErrorCodes;

/**
 * Refuses a token that names no caller: without a usable {@code oid} or {@code sub} (see
 * {@link CallerIdentity#stableId(Jwt)}), its bearer would share quotas, objects and usage
 * records with every other such bearer. Answered like any invalid token (401).
 */
final class CallerSubjectValidator implements OAuth2TokenValidator<Jwt> {

	private static final OAuth2Error NO_SUBJECT = new OAuth2Error(BearerTokenErrorCodes.INVALID_TOKEN,
			"The token names no caller: it has no usable oid or sub claim", null);

	@Override
	public OAuth2TokenValidatorResult validate(Jwt token) {
		return (CallerIdentity.stableId(token) != null) ? OAuth2TokenValidatorResult.success()
				: OAuth2TokenValidatorResult.failure(NO_SUBJECT);
	}

}
