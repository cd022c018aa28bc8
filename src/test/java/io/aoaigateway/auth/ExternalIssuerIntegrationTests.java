package io.aoaigateway.auth;

import java.util.List;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.local.LocalTokenIssuer;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway against an independent OAuth2 server (not our own issuer): discovery-free
 * JWKS validation, issuer and audience checks work with keys we did not make.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ExternalIssuerIntegrationTests {

	private static final String AUDIENCE = "api://aoai-gateway-external";

	private static final MockOAuth2Server ENTRA = started();

	@Autowired
	WebTestClient client;

	@DynamicPropertySource
	static void externalIssuer(DynamicPropertyRegistry registry) {
		GatewayFixtures.register(registry);
		registry.add("aoai.auth.jwk-set-uri", () -> ENTRA.jwksUrl("entra").toString());
		registry.add("aoai.auth.issuers", () -> ENTRA.issuerUrl("entra").toString());
		registry.add("aoai.auth.audiences", () -> AUDIENCE);
	}

	@BeforeEach
	void reset() {
		GatewayFixtures.reset();
	}

	@AfterAll
	static void stop() {
		ENTRA.shutdown();
	}

	@Test
	void tokenFromTheConfiguredIssuerIsAccepted() {
		call(token("entra", AUDIENCE, LocalTokenIssuer.TENANT)).expectStatus().isOk();
		assertThat(GatewayFixtures.SIM_A.received()).hasSize(1);
	}

	@Test
	void tokenFromAnotherIssuerOfTheSameServerIsRejected() {
		call(token("someone-else", AUDIENCE, LocalTokenIssuer.TENANT)).expectStatus().isUnauthorized();
	}

	@Test
	void tokenForAnotherAudienceIsRejected() {
		call(token("entra", "api://something-else", LocalTokenIssuer.TENANT)).expectStatus().isUnauthorized();
	}

	@Test
	void tokenFromATenantOutsideTheAllowListIsRejected() {
		call(token("entra", AUDIENCE, "99999999-0000-0000-0000-000000000000")).expectStatus().isUnauthorized();
		assertThat(GatewayFixtures.SIM_A.received()).isEmpty();
	}

	private WebTestClient.ResponseSpec call(String token) {
		return this.client.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}]}""")
			.exchange();
	}

	private static String token(String issuerId, String audience, String tenant) {
		return ENTRA
			.issueToken(issuerId, "alice", audience,
					Map.of("tid", tenant, "oid", "0b9c5b0e-0000-0000-0000-00000000a11c", "roles", List.of("reader")))
			.serialize();
	}

	private static MockOAuth2Server started() {
		MockOAuth2Server server = new MockOAuth2Server();
		server.start();
		return server;
	}

}
