package io.aoaigateway.auth;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;

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
		assertThat(CallerIdentity.from(base().subject("s").claim("roles", java.util.Map.of("a", 1)).build()).roles())
			.isEmpty();
		assertThat(CallerIdentity.from(base().subject("s").claim("groups", List.of("g1", 7)).build()).groups())
			.containsExactly("g1");
	}

	private static Jwt.Builder base() {
		return Jwt.withTokenValue("t")
			.header("alg", "RS256")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(60));
	}

}
