package io.aoaigateway.identity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aoaigateway.Commands;
import io.aoaigateway.Eventually;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.RecordedRequest;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.aoaigateway.simulator.SimulatorSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Backends without keys, end to end: the gateway gets Entra ID tokens from
 * {@link LocalEntra} through azure-identity (client secret, client certificate, workload
 * identity), sends them to simulated resources that accept only LocalEntra's valid
 * tokens, keeps them through Entra's outages and renews them when a backend refuses them.
 * The gateway's clock is a {@link FakeClock}; LocalEntra's is the real one.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeylessBackendsIntegrationTests {

	// A new one for each test, from the real time: LocalEntra's tokens expire in real
	// time.
	static volatile FakeClock clock = new FakeClock(Instant.now());

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

	private static final String APP = "gateway-app";

	private static final String APP_SECRET = "app-secret-7f3a";

	private static final String NO_ROLE = "gateway-without-role";

	private static final Set<String> DEPLOYMENTS_A = Set.of("gpt-4o", "text-embedding-3-small", "whisper", "tts",
			"dall-e-3", "gpt-5-pool");

	private static LocalEntra entra;

	// Key access disabled; only LocalEntra's valid tokens of one client get in.
	private static AzureOpenAiSimulator keylessA;

	private static volatile String acceptedByA = APP;

	// Key access disabled; any valid LocalEntra token gets in.
	private static AzureOpenAiSimulator keylessB;

	@BeforeAll
	static void startEntraAndKeylessResources() {
		entra = LocalEntra.start();
		entra.registerClientSecret(APP, APP_SECRET);
		entra.registerClientSecret(NO_ROLE, "no-role-secret");
		keylessA = AzureOpenAiSimulator.start(SimulatorSettings.defaults("keyless-a", "unused-key", DEPLOYMENTS_A)
			.withKeyAuth(false)
			.withBearerCheck((token) -> entra.clientIdOf(token).filter((id) -> id.equals(acceptedByA)).isPresent()));
		keylessB = AzureOpenAiSimulator
			.start(SimulatorSettings.defaults("keyless-b", "unused-key", Set.of("gpt-4o-eu", "mini-eu", "gpt-5-pool"))
				.withKeyAuth(false)
				.withBearerCheck(entra::isValid));
	}

	@AfterAll
	static void stop() {
		keylessA.close();
		keylessB.close();
		entra.close();
	}

	@BeforeEach
	void newClock() {
		clock = new FakeClock(Instant.now());
	}

	@BeforeEach
	@AfterEach
	void reset() {
		keylessA.reset();
		keylessB.reset();
		GatewayFixtures.SIM_B.reset();
		entra.tokenLifetime(Duration.ofHours(1));
		entra.clearRequests();
	}

	@Test
	void callsCarryTheGatewaysTokenAndNeverTheCallersOwnCredentials(CapturedOutput output) {
		try (GatewayInstance gateway = start(keylessA(Map.of()))) {
			String callerToken = GatewayFixtures.ISSUER.mint("alice");
			for (int i = 0; i < 5; i++) {
				assertThat(chat(gateway, callerToken, true).getStatusCode().value()).isEqualTo(200);
			}
			// Throttled once: the call moves on to sim-b, which still has a key.
			keylessA.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(30)));
			assertThat(chat(gateway, callerToken, true).getStatusCode().value()).isEqualTo(200);

			List<RecordedRequest> toA = keylessA.received();
			assertThat(toA).hasSize(6);
			String token = bearer(toA.get(0));
			assertThat(entra.clientIdOf(token)).contains(APP);
			assertThat(toA).allSatisfy((request) -> {
				assertThat(bearer(request)).isEqualTo(token);
				assertThat(request.header("api-key")).isNull();
				assertThat(request.header("x-ms-client-principal")).isNull();
			});
			RecordedRequest toB = GatewayFixtures.SIM_B.received().get(0);
			assertThat(toB.header("api-key")).isEqualTo(GatewayFixtures.KEY_B);
			assertThat(toB.header("authorization")).isNull();
			// One token, asked for once, for every call.
			assertThat(entra.tokenRequests()).isEqualTo(1);
			assertThat(metric(gateway, "aoai_gateway_backend_credential_renewals_total",
					"credential=\"app\",outcome=\"renewed\""))
				.isEqualTo(1.0);
			assertThat(metric(gateway, "aoai_gateway_backend_credential_expiry_seconds", "credential=\"app\""))
				.isCloseTo(3600.0, within(60.0));
			assertThat(output.getAll()).contains("Backend credential 'app' obtained a token valid until")
				.doesNotContain(token)
				.doesNotContain(APP_SECRET);
		}
	}

	@Test
	void tokenRenewedInTheBackgroundHalfwayThroughItsLife() {
		entra.tokenLifetime(Duration.ofMinutes(10));
		try (GatewayInstance gateway = start(keylessA(Map.of()))) {
			chat(gateway, GatewayFixtures.ISSUER.mint("alice"), false);
			String first = bearer(keylessA.received().get(0));

			// Past half of its 10 minutes (the gateway's clock stood still while it
			// started).
			clock.advance(Duration.ofMinutes(6));
			Eventually.eventually(
					() -> metric(gateway, "aoai_gateway_backend_credential_renewals_total",
							"credential=\"app\",outcome=\"renewed\""),
					(renewed) -> renewed == 2.0, Duration.ofSeconds(10));
			chat(gateway, GatewayFixtures.ISSUER.mint("alice"), false);

			String second = bearer(keylessA.received().get(1));
			assertThat(second).isNotEqualTo(first);
			assertThat(entra.isValid(second)).isTrue();
			assertThat(entra.tokenRequests()).isEqualTo(2);
		}
	}

	@Test
	void entraDownKeepsTheCurrentTokenUntilItExpiresThenTheBackendLeavesRotationUntilEntraIsBack(
			CapturedOutput output) {
		entra.tokenLifetime(Duration.ofMinutes(10));
		try (GatewayInstance gateway = start(onlyKeylessA())) {
			String caller = GatewayFixtures.ISSUER.mint("alice");
			assertThat(chat(gateway, caller, false).getStatusCode().value()).isEqualTo(200);
			entra.stop();
			try {
				clock.advance(Duration.ofMinutes(6));
				Eventually.eventually(
						() -> metric(gateway, "aoai_gateway_backend_credential_renewals_total",
								"credential=\"app\",outcome=\"failed\""),
						(failed) -> failed >= 1, Duration.ofSeconds(20));
				assertThat(chat(gateway, caller, false).getStatusCode().value()).isEqualTo(200);
				assertThat(output.getAll()).contains("the current token stays in use until");

				clock.advance(Duration.ofMinutes(5));
				ResponseEntity<String> expired = chat(gateway, caller, false);

				assertThat(expired.getStatusCode().value()).isEqualTo(503);
				assertThat(expired.getBody()).contains("No backend is available for this call");
				assertThat(readiness(gateway)).isEqualTo(503);
				assertThat(keylessA.received()).hasSize(2);
			}
			finally {
				entra.tokenLifetime(Duration.ofHours(1));
				entra.restart();
			}
			// The next renewal is due at most retry-max (1 minute) after the last
			// failure.
			clock.advance(Duration.ofMinutes(1));
			Eventually.eventually(() -> readiness(gateway), (status) -> status == 200, Duration.ofSeconds(20));
			assertThat(chat(gateway, caller, false).getStatusCode().value()).isEqualTo(200);
		}
	}

	@Test
	void backendRefusingTheTokenGetsItRenewedOnceAndTheCallSucceeds() {
		try (GatewayInstance gateway = start(onlyKeylessA())) {
			String caller = GatewayFixtures.ISSUER.mint("alice");
			chat(gateway, caller, false);
			String before = bearer(keylessA.received().get(0));
			entra.revokeAll();

			ResponseEntity<String> answer = chat(gateway, caller, false);

			assertThat(answer.getStatusCode().value()).isEqualTo(200);
			List<RecordedRequest> received = keylessA.received();
			assertThat(received).hasSize(3);
			assertThat(bearer(received.get(1))).isEqualTo(before);
			assertThat(bearer(received.get(2))).isNotEqualTo(before).satisfies((token) -> entra.isValid(token));
			assertThat(entra.tokenRequests()).isEqualTo(2);
			assertThat(metric(gateway, "aoai_gateway_backend_credential_rejections_total", "credential=\"app\""))
				.isEqualTo(1.0);
		}
	}

	@Test
	void backendRefusingTheRenewedTokenTooIsFailedOverAndLeftOutUntilAfterRejection(CapturedOutput output) {
		Map<String, Object> properties = new LinkedHashMap<>(keylessA(Map.of()));
		properties.putAll(credential("no-role", "client-secret",
				Map.of("client-id", NO_ROLE, "client-secret", "no-role-secret", "tenant-id", entra.tenantId())));
		properties.put("aoai.routing.backends[0].credential", "no-role");
		properties.put("aoai.routing.backends[1].url", keylessB.baseUrl().toString());
		properties.put("aoai.routing.backends[1].api-key", GatewayInstance.REMOVED);
		properties.put("aoai.routing.backends[1].credential", "app");
		try (GatewayInstance gateway = start(properties)) {
			String caller = GatewayFixtures.ISSUER.mint("alice");

			ResponseEntity<String> first = chat(gateway, caller, false);
			ResponseEntity<String> second = chat(gateway, caller, false);

			assertThat(first.getStatusCode().value()).isEqualTo(200);
			assertThat(second.getStatusCode().value()).isEqualTo(200);
			// Refused, renewed, refused again: the first call moved on; the second did
			// not
			// try keyless-a at all.
			assertThat(keylessA.received()).hasSize(2);
			assertThat(keylessB.received()).hasSize(2);
			assertThat(requestsOf(NO_ROLE)).isEqualTo(2);
			assertThat(output.getAll()).contains("refused a freshly renewed token of credential 'no-role'");

			clock.advance(Duration.ofSeconds(31));
			// Renewed once it is back in rotation; the gateway holds the new token once
			// the
			// renewal counted it (Entra logs the request before the gateway has the
			// answer).
			Eventually.eventually(
					() -> metric(gateway, "aoai_gateway_backend_credential_renewals_total",
							"credential=\"no-role\",outcome=\"renewed\""),
					(renewed) -> renewed == 3.0, Duration.ofSeconds(10));
			assertThat(chat(gateway, caller, false).getStatusCode().value()).isEqualTo(200);

			// Back in rotation, refused at once, out again without another renewal.
			assertThat(keylessA.received()).hasSize(3);
			assertThat(keylessB.received()).hasSize(3);
			assertThat(requestsOf(NO_ROLE)).isEqualTo(3);
		}
	}

	@Test
	void workloadIdentityFromTheVariablesTheAksWebhookSets(@TempDir Path dir) throws IOException {
		String assertion = "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.sig";
		entra.registerFederated("wi-app", assertion);
		Path tokenFile = Files.writeString(dir.resolve("azure-identity-token"), assertion);
		Map<String, Object> properties = new LinkedHashMap<>(onlyKeylessA());
		properties.keySet().removeIf((name) -> name.startsWith("aoai.identity.credentials.app."));
		properties.put("aoai.identity.credentials.app.type", "workload-identity");
		properties.put("aoai.identity.credentials.app.instance-discovery", "false");
		properties.put("aoai.identity.credentials.app.ssl-bundle", "local-entra");
		properties.put("AZURE_TENANT_ID", entra.tenantId());
		properties.put("AZURE_CLIENT_ID", "wi-app");
		properties.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
		properties.put("AZURE_AUTHORITY_HOST", entra.authorityHost().toString());
		keylessAAccepts("wi-app");
		try (GatewayInstance gateway = start(properties)) {
			assertThat(chat(gateway, GatewayFixtures.ISSUER.mint("alice"), false).getStatusCode().value())
				.isEqualTo(200);

			assertThat(entra.requests()).singleElement()
				.satisfies((request) -> assertThat(request.kind()).isEqualTo(LocalEntra.Kind.FEDERATED))
				.satisfies((request) -> assertThat(request.clientId()).isEqualTo("wi-app"));
		}
		finally {
			keylessAAccepts(APP);
		}
	}

	@Test
	void clientCertificateFromAMountedPemFile() {
		Path pem = entra.newClientCertificate("cert-app");
		Map<String, Object> properties = new LinkedHashMap<>(onlyKeylessA());
		properties.keySet().removeIf((name) -> name.startsWith("aoai.identity.credentials.app."));
		properties.putAll(credential("app", "client-certificate",
				Map.of("tenant-id", entra.tenantId(), "client-id", "cert-app", "certificate-path", pem.toString())));
		keylessAAccepts("cert-app");
		try (GatewayInstance gateway = start(properties)) {
			assertThat(chat(gateway, GatewayFixtures.ISSUER.mint("alice"), false).getStatusCode().value())
				.isEqualTo(200);

			assertThat(entra.requests()).singleElement()
				.satisfies((request) -> assertThat(request.kind()).isEqualTo(LocalEntra.Kind.CLIENT_CERTIFICATE));
		}
		finally {
			keylessAAccepts(APP);
		}
	}

	@Test
	void managedIdentityOfTheProcessInAGatewayOfItsOwn() {
		Map<String, Object> properties = new LinkedHashMap<>();
		GatewayFixtures.register((name, value) -> properties.put(name, value.get()));
		properties.putAll(onlyKeylessA());
		properties.keySet().removeIf((name) -> name.startsWith("aoai.identity.credentials.app."));
		properties.put("aoai.identity.credentials.app.type", "managed-identity");
		properties.values().removeIf((value) -> value == GatewayInstance.REMOVED);
		properties.put("server.port", "0");
		Map<String, String> environment = new LinkedHashMap<>(entra.appServiceEnvironment());
		environment.put("CALLER_TOKEN", GatewayFixtures.ISSUER.mint("alice"));
		keylessAAccepts(LocalEntra.SYSTEM_ASSIGNED_CLIENT_ID);
		try {
			Commands.Run run = ChildJvm.run(GatewayOneCallMain.class, environment, Duration.ofSeconds(120),
					properties.entrySet()
						.stream()
						.map((property) -> "--" + property.getKey() + "=" + property.getValue())
						.toArray(String[]::new));

			assertThat(ChildJvm.values(run)).as(run.describe()).containsEntry("status", "200");
			assertThat(entra.requests()).extracting(LocalEntra.TokenRequest::kind)
				.containsExactly(LocalEntra.Kind.APP_SERVICE);
			assertThat(entra.clientIdOf(bearer(keylessA.received().get(0))))
				.contains(LocalEntra.SYSTEM_ASSIGNED_CLIENT_ID);
		}
		finally {
			keylessAAccepts(APP);
		}
	}

	private static GatewayInstance start(Map<String, Object> properties) {
		GatewayInstance gateway = GatewayInstance.start(properties, clock);
		// Readiness waits for the first token.
		Eventually.eventually(() -> readiness(gateway), (status) -> status == 200, Duration.ofSeconds(20));
		return gateway;
	}

	// sim-a keyless through credential "app" (client secret); sim-b as the fixtures have
	// it.
	private static Map<String, Object> keylessA(Map<String, Object> extra) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.routing.backends[0].url", keylessA.baseUrl().toString());
		properties.put("aoai.routing.backends[0].api-key", GatewayInstance.REMOVED);
		properties.put("aoai.routing.backends[0].credential", "app");
		properties.putAll(credential("app", "client-secret",
				Map.of("tenant-id", entra.tenantId(), "client-id", APP, "client-secret", APP_SECRET)));
		properties.put("spring.ssl.bundle.pem.local-entra.truststore.certificate", "file:" + entra.certificatePem());
		properties.put("aoai.identity.refresh.check-interval", "50ms");
		properties.putAll(extra);
		return properties;
	}

	// The pool is keyless-a alone.
	private static Map<String, Object> onlyKeylessA() {
		Map<String, Object> properties = new LinkedHashMap<>(keylessA(Map.of()));
		for (String property : List.of("name", "url", "api-key", "priority", "deployments[0].name",
				"deployments[0].alias", "deployments[1].name", "deployments[1].alias", "deployments[2].name")) {
			properties.put("aoai.routing.backends[1]." + property, GatewayInstance.REMOVED);
		}
		properties.put("aoai.affinity.backends", "sim-a");
		properties.put("aoai.affinity.backends[0]", GatewayInstance.REMOVED);
		return properties;
	}

	private static Map<String, Object> credential(String name, String type, Map<String, String> settings) {
		Map<String, Object> properties = new LinkedHashMap<>();
		String prefix = "aoai.identity.credentials." + name + ".";
		properties.put(prefix + "type", type);
		settings.forEach((setting, value) -> properties.put(prefix + setting, value));
		properties.put(prefix + "authority-host", entra.authorityHost().toString());
		properties.put(prefix + "instance-discovery", "false");
		properties.put(prefix + "ssl-bundle", "local-entra");
		return properties;
	}

	private static void keylessAAccepts(String clientId) {
		acceptedByA = clientId;
	}

	private static ResponseEntity<String> chat(GatewayInstance gateway, String callerToken, boolean hostile) {
		return gateway.client().post().uri(CHAT).headers((headers) -> {
			headers.setBearerAuth(callerToken);
			if (hostile) {
				headers.set("api-key", "callers-own-azure-key");
				headers.set("x-ms-client-principal", "eyJhdXRoX3R5cCI6ImFhZCJ9");
			}
		})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(HELLO)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(30));
	}

	private static int readiness(GatewayInstance gateway) {
		return gateway.client()
			.get()
			.uri("/actuator/health/readiness")
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
			.block(Duration.ofSeconds(10));
	}

	private static long requestsOf(String clientId) {
		return entra.requests().stream().filter((request) -> clientId.equals(request.clientId())).count();
	}

	private static String bearer(RecordedRequest request) {
		String authorization = request.header("authorization");
		assertThat(authorization).startsWith("Bearer ");
		return authorization.substring("Bearer ".length());
	}

	private static double metric(GatewayInstance gateway, String name, String labels) {
		Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
			.matcher(gateway.scrape());
		while (matcher.find()) {
			if (matcher.group(1).contains(labels)) {
				return Double.parseDouble(matcher.group(2));
			}
		}
		return Double.NaN;
	}

}
