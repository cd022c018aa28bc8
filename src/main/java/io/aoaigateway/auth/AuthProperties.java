package io.aoaigateway.auth;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How callers' Entra ID (OAuth2 JWT) access tokens are validated.
 *
 * @param jwkSetUri where the issuer publishes its signing keys
 * @param issuers accepted {@code iss} values; {@code {tenantid}} in a value stands for
 * the token's own {@code tid} claim, e.g.
 * https://login.microsoftonline.com/{tenantid}/v2.0 (then allowed-tenants must be set)
 * @param audiences accepted {@code aud} values, e.g. api://aoai-gateway and the app id
 * @param allowedTenants tenant ids ({@code tid}) whose tokens are accepted; empty accepts
 * every tenant whose issuer matches
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 */
@Validated
@ConfigurationProperties("aoai.auth")
public record AuthProperties(
		@NotNull @DefaultValue("https://login.microsoftonline.com/common/discovery/v2.0/keys") URI jwkSetUri,
		@NotEmpty List<String> issuers, @NotEmpty List<String> audiences, @DefaultValue List<String> allowedTenants,
		@DefaultValue("60s") Duration clockSkew) {

	@AssertTrue(message = "aoai.auth.allowed-tenants must be set when an issuer contains {tenantid}")
	public boolean isTenantTemplateBounded() {
		return !this.allowedTenants.isEmpty()
				|| this.issuers.stream().noneMatch((issuer) -> issuer.contains(TenantIssuerValidator.TENANT));
	}

	@AssertTrue(message = "aoai.auth.clock-skew must not be negative")
	public boolean isClockSkewValid() {
		return !this.clockSkew.isNegative();
	}

}
