package io.aoaigateway.auth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CallerIdentityTests {

	@Test
	void fromWhenEntraV2TokenThenObjectIdAppAndRoles() {
		CallerIdentity caller = CallerIdentity.from(base().subject("pairwise-sub")
			.claim("oid", "0b6a2f1e-0000-0000-0000-000000000001")
			.claim("tid", "tenant")
			.claim("azp", "client-app")
			.claim("name", "Alice")
			.claim("roles", List.of("Gateway.User"))
			.claim("groups", List.of("g1", "g2"))
			.build());

		assertThat(caller).isEqualTo(new CallerIdentity("0b6a2f1e-0000-0000-0000-000000000001", "pairwise-sub",
				"tenant", "client-app", "Alice", List.of("Gateway.User"), List.of("g1", "g2")));
	}

	@Test
	void fromWhenV1TokenWithoutOidThenSubjectAndAppid() {
		CallerIdentity caller = CallerIdentity
			.from(base().subject("sub-1").claim("appid", "legacy-app").claim("preferred_username", "bob@x").build());

		assertThat(caller.id()).isEqualTo("sub-1");
		assertThat(caller.appId()).isEqualTo("legacy-app");
		assertThat(caller.name()).isEqualTo("bob@x");
		assertThat(caller.roles()).isEmpty();
	}

	@Test
	void fromWhenRolesClaimIsASingleStringThenOneRole() {
		assertThat(CallerIdentity.from(base().subject("s").claim("roles", "Gateway.Admin").build()).roles())
			.containsExactly("Gateway.Admin");
	}

	@Test
	void fromWhenRolesClaimIsAnObjectThenNoRoles() {
		assertThat(CallerIdentity.from(base().subject("s").claim("roles", Map.of("a", 1)).build()).roles()).isEmpty();
		assertThat(CallerIdentity.from(base().subject("s").claim("groups", List.of("g1", 7)).build()).groups())
			.containsExactly("g1");
	}

	@Test
	void fromWhenObjectIdBlankThenSubject() {
		assertThat(CallerIdentity.from(base().subject("sub-2").claim("oid", "").build()).id()).isEqualTo("sub-2");
		assertThat(CallerIdentity.from(base().subject("sub-2").claim("oid", " \t ").build()).id()).isEqualTo("sub-2");
		assertThat(CallerIdentity.from(base().subject("sub-2").claim("oid", 42).build()).id()).isEqualTo("sub-2");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "\t\n", "\u00a0\u2003", "\u200b", "-", "a\u0000b", "line\nbreak" })
	void stableIdWhenNeitherClaimUsableThenNullAndFromRefuses(String value) {
		Jwt onlySubject = base().subject(value).build();
		Jwt both = base().subject(value).claim("oid", value).build();

		assertThat(CallerIdentity.stableId(onlySubject)).isNull();
		assertThat(CallerIdentity.stableId(both)).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> CallerIdentity.from(both));
	}

	@Test
	void stableIdWhenClaimsAbsentNotStringsOrTooLongThenNull() {
		assertThat(CallerIdentity.stableId(base().claim("tid", "t").build())).isNull();
		assertThat(CallerIdentity.stableId(base().claim("oid", List.of("x")).claim("sub", Map.of("a", "b")).build()))
			.isNull();
		assertThat(CallerIdentity.stableId(base().subject("a".repeat(CallerIdentity.MAX_ID_LENGTH + 1)).build()))
			.isNull();
		assertThat(CallerIdentity.stableId(base().subject("a".repeat(CallerIdentity.MAX_ID_LENGTH)).build()))
			.hasSize(CallerIdentity.MAX_ID_LENGTH);
	}

	private static Jwt.Builder base() {
		return Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60));
	}

}
