package io.aoaigateway.auth;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;

class TenantIssuerValidatorTests {

	private static final String CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47";

	private final TenantIssuerValidator validator = new TenantIssuerValidator(
			List.of("https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/"),
			List.of(CONTOSO));

	@Test
	void validateWhenIssuerTemplateMatchesTheTokensTenantThenSuccess() {
		assertThat(this.validator.validate(token("https://login.microsoftonline.com/" + CONTOSO + "/v2.0", CONTOSO))
			.hasErrors()).isFalse();
		assertThat(this.validator.validate(token("https://sts.windows.net/" + CONTOSO + "/", CONTOSO)).hasErrors())
			.isFalse();
	}

	@Test
	void validateWhenIssuerNamesAnotherTenantThanTidThenFailure() {
		assertThat(this.validator
			.validate(token("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", CONTOSO))
			.hasErrors()).isTrue();
	}

	@Test
	void validateWhenTenantNotAllowedThenFailure() {
		String other = "11111111-1111-1111-1111-111111111111";
		assertThat(this.validator.validate(token("https://login.microsoftonline.com/" + other + "/v2.0", other))
			.hasErrors()).isTrue();
	}

	@Test
	void validateWhenNoTidThenFailure() {
		assertThat(this.validator.validate(token("https://login.microsoftonline.com/" + CONTOSO + "/v2.0", null))
			.hasErrors()).isTrue();
	}

	@Test
	void validateWhenExactIssuerAndNoTenantListThenAnyTenant() {
		TenantIssuerValidator exact = new TenantIssuerValidator(List.of("https://issuer.example"), List.of());

		assertThat(exact.validate(token("https://issuer.example", "t")).hasErrors()).isFalse();
		assertThat(exact.validate(token("https://issuer.example/", "t")).hasErrors()).isTrue();
	}

	private static Jwt token(String issuer, String tenant) {
		Jwt.Builder builder = Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.claim("iss", issuer)
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60));
		if (tenant != null) {
			builder.claim("tid", tenant);
		}
		return builder.build();
	}

}
