package io.aoaigateway.auth;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

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
 * @param tokenCache how many validated tokens are remembered, so that a caller's next
 * calls skip the signature check
 */
@Validated
@ConfigurationProperties("aoai.auth")
public record AuthProperties(
		@NotNull @DefaultValue("https://login.microsoftonline.com/common/discovery/v2.0/keys") URI jwkSetUri,
		@NotEmpty List<String> issuers, @NotEmpty List<String> audiences, @DefaultValue List<String> allowedTenants,
		@DefaultValue("60s") Duration clockSkew, @Valid @DefaultValue TokenCache tokenCache) {

	@AssertTrue(message = "aoai.auth.allowed-tenants must be set when an issuer contains {tenantid}")
	public boolean isTenantTemplateBounded() {
		return !this.allowedTenants.isEmpty()
				|| this.issuers.stream().noneMatch((issuer) -> issuer.contains(TenantIssuerValidator.TENANT));
	}

	@AssertTrue(message = "aoai.auth.clock-skew must not be negative")
	public boolean isClockSkewValid() {
		return !this.clockSkew.isNegative();
	}

	/**
	 * Validated tokens remembered until their {@code exp}: a call with a remembered token
	 * skips the parse and the signature check, not the lifetime check.
	 *
	 * @param maxEntries most tokens remembered at once, each with its parsed claims
	 * (about 4 KB for a typical Entra token, 32 KB for one with 200 groups); 0 validates
	 * every call afresh
	 */
	public record TokenCache(@PositiveOrZero @DefaultValue("10000") int maxEntries) {

	}

}
