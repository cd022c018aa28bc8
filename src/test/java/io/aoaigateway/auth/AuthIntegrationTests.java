package io.aoaigateway.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import com.nimbusds.jwt.JWTClaimsSet;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayIntegrationSupport;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.test.web.reactive.server.WebTestClient;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token validation at the door: only a token signed by the configured issuer's keys, for
 * this gateway's audience, from an allowed tenant and within its lifetime gets through.
 */
class AuthIntegrationTests extends GatewayIntegrationSupport {

	private static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions?" + API_VERSION;

	@Autowired
	ReactiveJwtDecoder decoder;

	@Test
	void validTokenIsAccepted() {
		call(token()).expectStatus().isOk();
		assertThat(SIM_A.received()).hasSize(1);
	}

	@Test
	void validTokenWhenUsedAgainThenItsValidationIsRemembered() {
		String token = mint((claims) -> claims.subject("remembered").claim("oid", null));

		call(token).expectStatus().isOk();
		call(token).expectStatus().isOk();

		assertThat(this.decoder).isInstanceOfSatisfying(CachingJwtDecoder.class,
				(cache) -> assertThat(cache.size()).isPositive());
		assertThat(SIM_A.received()).hasSize(2);
	}

	@Test
	void missingTokenGetsABareBearerChallenge() {
		this.client.post()
			.uri(CHAT_PATH)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("401")
			.jsonPath("$.error.message")
			.value((String message) -> assertThat(message).contains("Microsoft Entra ID"));
		assertThat(SIM_A.received()).isEmpty();
	}

	@Test
	void expiredTokenIsRejected() {
		Instant past = Instant.now().minus(Duration.ofHours(2));
		assertInvalid(mint((claims) -> claims.issueTime(Date.from(past))
			.notBeforeTime(Date.from(past))
			.expirationTime(Date.from(past.plus(Duration.ofHours(1))))));
	}

	@Test
	void notYetValidTokenIsRejected() {
		Instant future = Instant.now().plus(Duration.ofMinutes(10));
		assertInvalid(mint((claims) -> claims.notBeforeTime(Date.from(future))));
	}

	@Test
	void wrongIssuerIsRejected() {
		assertInvalid(mint((claims) -> claims.issuer("https://login.microsoftonline.com/someone-else/v2.0")));
	}

	@Test
	void wrongAudienceIsRejected() {
		assertInvalid(mint((claims) -> claims.audience("api://another-service")));
	}

	@Test
	void tenantNotAllowedIsRejected() {
		assertInvalid(mint((claims) -> claims.claim("tid", "11111111-2222-3333-4444-555555555555")));
	}

	@Test
	void tokenSignedByAnotherKeyIsRejected() {
		try (LocalTokenIssuer impostor = LocalTokenIssuer.start(0, Clock.systemUTC())) {
			assertInvalid(impostor.mint("mallory", (claims) -> claims.issuer(GatewayFixtures.ISSUER.issuer())));
		}
	}

	@Test
	void tamperedClaimsAreRejected() {
		String[] parts = token().split("\\.");
		String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
			.replace("\"sub\":\"alice\"", "\"sub\":\"admin\"");
		assertThat(claims).contains("admin");
		assertInvalid(parts[0] + "." + base64(claims) + "." + parts[2]);
	}

	@Test
	void unsignedTokenIsRejected() {
		String[] parts = token().split("\\.");
		assertInvalid(base64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
	}

	@ParameterizedTest
	@ValueSource(strings = { "garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" })
	void malformedTokenIsRejected(String token) {
		assertInvalid(token);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "\t", "\u200b" })
	void tokenWithoutUsableSubjectOrObjectIdIsRejected(String blank) {
		assertInvalid(mint((claims) -> claims.subject(blank).claim("oid", null)));
		assertInvalid(mint((claims) -> claims.subject(blank).claim("oid", blank)));
		assertInvalid(mint((claims) -> claims.subject(null).claim("oid", blank)));
	}

	@Test
	void tokenWithBlankObjectIdButSubjectIsAcceptedAsTheSubject() {
		call(mint((claims) -> claims.subject("carol").claim("oid", ""))).expectStatus().isOk();
		assertThat(SIM_A.received()).hasSize(1);
	}

	@Test
	void callerCredentialHeadersNeverReachTheBackend() {
		HttpHeaders sent = new HttpHeaders();
		sent.add("API-Key", "caller-azure-key");
		sent.add("x-api-key", "caller-openai-compatible-key");
		sent.add("X-Api-Key", "caller-key-other-case");
		sent.add("Ocp-Apim-Subscription-Key", "caller-apim-key");
		sent.add("ocp-apim-subscription-key", "caller-apim-key-lower");
		sent.add("Ocp-Apim-Trace", "true");
		sent.add("Apim-Debug-Authorization", "caller-trace-token");
		sent.add("Proxy-Authorization", "Basic Y2FsbGVyOnNlY3JldA==");
		sent.add("Cookie", "session=caller");
		sent.add("x-ms-authorization-auxiliary", "Bearer other-tenant-token");
		sent.add("x-functions-key", "caller-functions-key");
		sent.add("X-MS-CLIENT-PRINCIPAL", "eyJjbGFpbXMiOltdfQ==");
		sent.add("X-MS-CLIENT-PRINCIPAL-ID", "forged-principal");
		sent.add("X-MS-TOKEN-AAD-ACCESS-TOKEN", "forged-token");
		sent.add("x-ms-client-request-id", "3f0c6d6e-kept");
		String bearer = token();

		this.client.post().uri(CHAT_PATH).headers((headers) -> {
			headers.addAll(sent);
			headers.setBearerAuth(bearer);
		}).contentType(MediaType.APPLICATION_JSON).bodyValue("""
				{"messages":[{"role":"user","content":"Hello"}]}""").exchange().expectStatus().isOk();

		RecordedRequest received = onlyRequest(SIM_A);
		assertSwappedCredentials(received, GatewayFixtures.KEY_A);
		assertThat(received.headers().get("api-key")).containsExactly(GatewayFixtures.KEY_A);
		sent.headerNames()
			.stream()
			.filter((name) -> !name.equalsIgnoreCase("x-ms-client-request-id") && !name.equalsIgnoreCase("api-key"))
			.forEach((name) -> assertThat(received.headers().get(name.toLowerCase(Locale.ROOT))).as(name).isNull());
		assertThat(received.header("x-ms-client-request-id")).isEqualTo("3f0c6d6e-kept");
		assertThat(received.headers().values().stream().flatMap(List::stream))
			.noneMatch((value) -> value.startsWith("caller-") || value.startsWith("forged") || value.contains(bearer));
	}

	@Test
	void healthAndPrometheusAreOpenOtherActuatorEndpointsAreNotExposed() {
		this.client.get().uri("/actuator/health").exchange().expectStatus().isOk();
		this.client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
		this.client.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((scrape) -> assertThat(scrape).doesNotContain(GatewayFixtures.KEY_A));
		for (String endpoint : new String[] { "env", "configprops", "beans", "heapdump", "gateway/routes" }) {
			this.client.get()
				.uri("/actuator/" + endpoint)
				.headers((headers) -> headers.setBearerAuth(token()))
				.exchange()
				.expectStatus()
				.isNotFound();
		}
	}

	private WebTestClient.ResponseSpec call(String token) {
		return this.client.post()
			.uri(CHAT_PATH)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}]}""")
			.exchange();
	}

	private void assertInvalid(String token) {
		call(token).expectStatus()
			.isUnauthorized()
			.expectHeader()
			.value(HttpHeaders.WWW_AUTHENTICATE,
					(challenge) -> assertThat(challenge).startsWith("Bearer error=\"invalid_token\""))
			.expectBody()
			.jsonPath("$.error.code")
			.isEqualTo("401");
		assertThat(SIM_A.received()).isEmpty();
	}

	private static String mint(Consumer<JWTClaimsSet.Builder> customizer) {
		return GatewayFixtures.ISSUER.mint("alice", customizer);
	}

	private static String base64(String text) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

}
