package io.aoaigateway.auth;

import java.util.List;
import java.util.Set;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Accepts a token only if its issuer is configured and its tenant allowed. Entra ID
 * issues from one URL per tenant, so an issuer may be a template on the token's
 * {@code tid}.
 *
 * @see <a href=
 * "https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference">Access
 * token claims</a>
 */
final class TenantIssuerValidator implements OAuth2TokenValidator<Jwt> {

	static final String TENANT = "{tenantid}";

	private final List<String> issuers;

	private final Set<String> allowedTenants;

	TenantIssuerValidator(List<String> issuers, List<String> allowedTenants) {
		this.issuers = List.copyOf(issuers);
		this.allowedTenants = Set.copyOf(allowedTenants);
	}

	@Override
	public OAuth2TokenValidatorResult validate(Jwt token) {
		String tenant = token.getClaimAsString("tid");
		if (!this.allowedTenants.isEmpty() && (tenant == null || !this.allowedTenants.contains(tenant))) {
			return failure("The token's tenant is not allowed");
		}
		String issuer = token.getClaimAsString("iss");
		if (issuer == null || this.issuers.stream().noneMatch((accepted) -> matches(accepted, issuer, tenant))) {
			return failure("The token's issuer is not accepted");
		}
		return OAuth2TokenValidatorResult.success();
	}

	private static boolean matches(String accepted, String issuer, String tenant) {
		if (!accepted.contains(TENANT)) {
			return accepted.equals(issuer);
		}
		return tenant != null && !tenant.isEmpty() && accepted.replace(TENANT, tenant).equals(issuer);
	}

	private static OAuth2TokenValidatorResult failure(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
	}

}
