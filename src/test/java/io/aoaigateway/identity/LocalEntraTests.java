package io.aoaigateway.identity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.aoaigateway.Commands;
import io.aoaigateway.FakeClock;
import io.aoaigateway.identity.LocalEntra.Kind;
import io.aoaigateway.identity.LocalEntra.TokenRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * LocalEntra against azure-identity's real credentials: client secret, client
 * certificate, workload identity and managed identity (App Service and IMDS, in a child
 * JVM), its errors, and its behaviour controls.
 */
class LocalEntraTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(1);

	private static final TokenRequestContext AZURE_OPENAI = new TokenRequestContext().addScopes(LocalEntra.SCOPE);

	// No azure-core retries: each credential attempt is one request, plus MSAL's own.
	private static final RetryOptions NO_RETRIES = new RetryOptions(new FixedDelayOptions(0, Duration.ZERO));

	private static final FakeClock clock = new FakeClock(Instant.now());

	private static LocalEntra entra;

	private static HttpClient httpClient;

	@TempDir
	Path directory;

	@BeforeAll
	static void start() {
		entra = LocalEntra.start(LocalEntra.TENANT, clock);
		httpClient = entra.httpClient(Duration.ofSeconds(10));
	}

	@AfterAll
	static void stop() {
		entra.close();
	}

	@AfterEach
	void reset() {
		entra.unhang();
		entra.failNext(0, 500);
		entra.tokenLifetime(Duration.ofHours(1));
		entra.clearRequests();
	}

	@Test
	void clientSecretCredentialWhenSecretRegisteredThenGetsValidTokenForItsClient() {
		entra.registerClientSecret("app-secret", "s3cret-value");

		AccessToken token = token(new ClientSecretCredentialBuilder().clientId("app-secret")
			.clientSecret("s3cret-value")
			.tenantId(LocalEntra.TENANT)
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.httpClient(httpClient)
			.build());

		assertThat(entra.isValid(token.getToken())).isTrue();
		assertThat(entra.clientIdOf(token.getToken())).hasValue("app-secret");
		assertThat(token.getExpiresAt()).isCloseTo(OffsetDateTime.now().plusHours(1), within(Duration.ofMinutes(1)));
		TokenRequest request = entra.requests().get(0);
		assertThat(request.kind()).isEqualTo(Kind.CLIENT_SECRET);
		assertThat(request.clientId()).isEqualTo("app-secret");
		assertThat(request.scope()).contains(LocalEntra.SCOPE);
		assertThat(request.time()).isEqualTo(clock.instant());
		assertThat(request.status()).isEqualTo(200);
		assertThat(request.tokenId()).isNotNull();
	}

	@Test
	void clientSecretCredentialWhenAskedTwiceThenAsksEntraEachTime() {
		entra.registerClientSecret("app-twice", "s3cret-value");
		TokenCredential credential = secretCredential("app-twice", "s3cret-value", LocalEntra.TENANT);

		token(credential);
		token(credential);

		// MSAL caches by the authority's host without its port and looks up with it: an
		// authority with a port never hits MSAL's cache.
		assertThat(entra.tokenRequests()).isEqualTo(2);
	}

	@Test
	void clientSecretCredentialWhenSecretWrongThenAuthenticationFailsWithInvalidClient() {
		entra.registerClientSecret("app-wrong", "s3cret-value");

		assertThatThrownBy(() -> token(secretCredential("app-wrong", "not-the-secret", LocalEntra.TENANT)))
			.isInstanceOfSatisfying(MsalServiceException.class, (ex) -> {
				assertThat(ex.statusCode()).isEqualTo(401);
				assertThat(ex.errorCode()).isEqualTo("invalid_client");
			})
			.hasMessageContaining("AADSTS7000215: Invalid client secret provided")
			.hasMessageNotContaining("not-the-secret");
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(401);
	}

	@Test
	void clientSecretCredentialWhenSecretWrongAndAskedSynchronouslyThenMsalErrorComesWrapped() {
		entra.registerClientSecret("app-wrong-sync", "s3cret-value");

		assertThatThrownBy(() -> secretCredential("app-wrong-sync", "not-the-secret", LocalEntra.TENANT)
			.getTokenSync(AZURE_OPENAI)).isNotInstanceOf(ClientAuthenticationException.class)
			.hasRootCauseInstanceOf(MsalServiceException.class)
			.hasMessageContaining("AADSTS7000215");
	}

	@Test
	void clientSecretCredentialWhenClientUnknownThenAuthenticationFailsWithUnknownApplication() {
		assertThatThrownBy(() -> token(secretCredential("app-unknown", "s3cret-value", LocalEntra.TENANT)))
			.isInstanceOfSatisfying(MsalServiceException.class,
					(ex) -> assertThat(ex.errorCode()).isEqualTo("unauthorized_client"))
			.hasMessageContaining("AADSTS700016: Application with identifier 'app-unknown' was not found");
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(400);
	}

	@Test
	void clientSecretCredentialWhenTenantUnknownThenAuthenticationFailsWithTenantNotFound() {
		entra.registerClientSecret("app-tenant", "s3cret-value");

		assertThatThrownBy(
				() -> token(secretCredential("app-tenant", "s3cret-value", "00000000-0000-0000-0000-00000000ffff")))
			.isInstanceOfSatisfying(MsalServiceException.class,
					(ex) -> assertThat(ex.errorCode()).isEqualTo("invalid_tenant"))
			.hasMessageContaining("AADSTS90002: Tenant '00000000-0000-0000-0000-00000000ffff' not found");
	}

	@Test
	void credentialWhenScopeIsAnotherResourceThenAuthenticationFailsWithResourceNotFound() {
		entra.registerClientSecret("app-scope", "s3cret-value");

		assertThatThrownBy(() -> secretCredential("app-scope", "s3cret-value", LocalEntra.TENANT)
			.getToken(new TokenRequestContext().addScopes("https://management.azure.com/.default"))
			.block(TIMEOUT)).isInstanceOf(MsalServiceException.class)
			.hasMessageContaining("AADSTS500011: The resource principal named https://management.azure.com");
	}

	@Test
	void clientCertificateCredentialWhenCertificateRegisteredThenGetsValidToken() {
		Path certificate = entra.newClientCertificate("app-certificate");

		AccessToken token = token(new ClientCertificateCredentialBuilder().clientId("app-certificate")
			.pemCertificate(certificate.toString())
			.tenantId(LocalEntra.TENANT)
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.httpClient(httpClient)
			.build());

		assertThat(entra.clientIdOf(token.getToken())).hasValue("app-certificate");
		assertThat(entra.requests()).extracting(TokenRequest::kind).containsExactly(Kind.CLIENT_CERTIFICATE);
	}

	@Test
	void clientCertificateCredentialWhenCertificateOfAnotherClientThenAuthenticationFailsSignatureValidation() {
		entra.newClientCertificate("app-owner");
		Path other = entra.newClientCertificate("app-other");

		assertThatThrownBy(() -> token(new ClientCertificateCredentialBuilder().clientId("app-owner")
			.pemCertificate(other.toString())
			.tenantId(LocalEntra.TENANT)
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.httpClient(httpClient)
			.build())).isInstanceOf(MsalServiceException.class).hasMessageContaining("AADSTS700027");
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(401);
	}

	@Test
	void workloadIdentityCredentialWhenAssertionFederatedThenGetsValidToken() throws IOException {
		Path tokenFile = Files.writeString(this.directory.resolve("azure-identity-token"), "projected-sa-token");
		entra.registerFederated("app-workload", "projected-sa-token");

		AccessToken token = token(workloadCredential("app-workload", tokenFile));

		assertThat(entra.clientIdOf(token.getToken())).hasValue("app-workload");
		assertThat(entra.requests()).extracting(TokenRequest::kind).containsExactly(Kind.FEDERATED);
	}

	@Test
	void workloadIdentityCredentialWhenAssertionNotFederatedThenFailsWithNoMatchingRecord() throws IOException {
		Path tokenFile = Files.writeString(this.directory.resolve("azure-identity-token"), "another-sa-token");
		entra.registerFederated("app-mismatch", "projected-sa-token");

		assertThatThrownBy(() -> token(workloadCredential("app-mismatch", tokenFile)))
			.isInstanceOf(MsalServiceException.class)
			.hasMessageContaining("AADSTS700213");
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(401);
	}

	@Test
	void tokenLifetimeWhenSetThenNextTokensExpireAfterIt() {
		entra.registerClientSecret("app-lifetime", "s3cret-value");
		entra.tokenLifetime(Duration.ofMinutes(5));

		AccessToken token = token(secretCredential("app-lifetime", "s3cret-value", LocalEntra.TENANT));

		assertThat(token.getExpiresAt()).isCloseTo(OffsetDateTime.now().plusMinutes(5), within(Duration.ofMinutes(1)));
		clock.advance(Duration.ofMinutes(4));
		assertThat(entra.isValid(token.getToken())).isTrue();
		clock.advance(Duration.ofMinutes(1));
		assertThat(entra.isValid(token.getToken())).isFalse();
	}

	@Test
	void revokeAllWhenCalledThenEarlierTokensAreInvalidAndNewOnesValid() {
		entra.registerClientSecret("app-revoked", "s3cret-value");
		TokenCredential credential = secretCredential("app-revoked", "s3cret-value", LocalEntra.TENANT);
		AccessToken before = token(credential);

		entra.revokeAll();
		AccessToken after = token(credential);

		assertThat(entra.isValid(before.getToken())).isFalse();
		assertThat(entra.clientIdOf(before.getToken())).isEmpty();
		assertThat(entra.isValid(after.getToken())).isTrue();
	}

	@Test
	void isValidWhenTokenTamperedOrNotAJwtThenFalse() {
		entra.registerClientSecret("app-tampered", "s3cret-value");
		String token = token(secretCredential("app-tampered", "s3cret-value", LocalEntra.TENANT)).getToken();
		String[] parts = token.split("\\.");
		String otherPayload = token(secretCredential("app-tampered", "s3cret-value", LocalEntra.TENANT)).getToken()
			.split("\\.")[1];

		assertThat(entra.isValid(parts[0] + "." + otherPayload + "." + parts[2])).isFalse();
		assertThat(entra.isValid("not-a-token")).isFalse();
		assertThat(entra.isValid(token)).isTrue();
	}

	@Test
	void failNextWhenOneServerErrorThenMsalRetriesOnceAndGetsToken() {
		entra.registerClientSecret("app-retried", "s3cret-value");
		entra.failNext(1, 500);

		AccessToken token = token(secretCredential("app-retried", "s3cret-value", LocalEntra.TENANT));

		assertThat(entra.isValid(token.getToken())).isTrue();
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(500, 200);
	}

	@Test
	void failNextWhenEndpointKeepsFailingThenOneAttemptCostsTwoRequests() {
		entra.registerClientSecret("app-failing", "s3cret-value");
		entra.failNext(10, 503);

		assertThatThrownBy(() -> token(secretCredential("app-failing", "s3cret-value", LocalEntra.TENANT)))
			.isInstanceOfSatisfying(MsalServiceException.class, (ex) -> assertThat(ex.statusCode()).isEqualTo(503))
			.hasMessageContaining("AADSTS50000");

		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(503, 503);
	}

	@Test
	void stopWhenEndpointDownThenRefusedAndRestartServesOnSamePort() {
		entra.registerClientSecret("app-stopped", "s3cret-value");
		TokenCredential credential = secretCredential("app-stopped", "s3cret-value", LocalEntra.TENANT);
		String authority = entra.authorityHost().toString();

		entra.stop();
		try {
			assertThatThrownBy(() -> token(credential)).isInstanceOf(RuntimeException.class);
			assertThat(entra.tokenRequests()).isZero();
		}
		finally {
			entra.restart();
		}

		assertThat(entra.authorityHost()).hasToString(authority);
		assertThat(entra.isValid(token(credential).getToken())).isTrue();
	}

	@Test
	void hangWhenRequestsNeverAnsweredThenClientTimesOutAndUnhangServesAgain() {
		entra.registerClientSecret("app-hung", "s3cret-value");
		TokenCredential impatient = new ClientSecretCredentialBuilder().clientId("app-hung")
			.clientSecret("s3cret-value")
			.tenantId(LocalEntra.TENANT)
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.retryOptions(NO_RETRIES)
			.httpClient(entra.httpClient(Duration.ofMillis(500)))
			.build();

		entra.hang();
		assertThatThrownBy(() -> token(impatient)).isInstanceOf(RuntimeException.class);
		entra.unhang();
		AccessToken token = token(impatient);

		assertThat(entra.isValid(token.getToken())).isTrue();
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(0, 200);
	}

	@Test
	void managedIdentityWhenAppServiceEnvironmentThenSystemAssignedIdentityGetsToken() {
		Commands.Run run = ChildJvm.run(ManagedIdentityTokenMain.class, entra.appServiceEnvironment(), CHILD_TIMEOUT);

		Map<String, String> values = ChildJvm.values(run);
		assertThat(run.exitCode()).as(run.describe()).isZero();
		assertThat(values).containsEntry("clientId", LocalEntra.SYSTEM_ASSIGNED_CLIENT_ID);
		TokenRequest request = entra.requests().get(0);
		assertThat(request.kind()).isEqualTo(Kind.APP_SERVICE);
		assertThat(request.scope()).isEqualTo(LocalEntra.RESOURCE);
		assertThat(values).containsEntry("tokenId", request.tokenId());
		assertThat(Long.parseLong(values.get("expiresAt")))
			.isEqualTo(clock.instant().plus(Duration.ofHours(1)).getEpochSecond());
	}

	@Test
	void managedIdentityWhenImdsEnvironmentThenUserAssignedIdentityGetsToken() {
		entra.registerManagedIdentity("user-assigned-id");

		Commands.Run run = ChildJvm.run(ManagedIdentityTokenMain.class, entra.imdsEnvironment(), CHILD_TIMEOUT,
				"user-assigned-id");

		Map<String, String> values = ChildJvm.values(run);
		assertThat(run.exitCode()).as(run.describe()).isZero();
		assertThat(values).containsEntry("clientId", "user-assigned-id");
		assertThat(entra.requests()).extracting(TokenRequest::kind).containsExactly(Kind.IMDS);
		assertThat(values).containsEntry("tokenId", entra.requests().get(0).tokenId());
	}

	@Test
	void defaultChainOfTheGatewayWhenWorkloadIdentityEnvironmentThenFederatedTokenFromLocalEntra(@TempDir Path dir)
			throws IOException {
		entra.registerFederated("chain-app", "projected-token-of-chain-app");
		Path tokenFile = Files.writeString(dir.resolve("token"), "projected-token-of-chain-app");
		Map<String, String> environment = Map.of("AZURE_CLIENT_ID", "chain-app", "AZURE_TENANT_ID", entra.tenantId(),
				"AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString(), "AZURE_AUTHORITY_HOST",
				entra.authorityHost().toString());

		Commands.Run run = ChildJvm.run(DefaultChainTokenMain.class, environment, CHILD_TIMEOUT,
				entra.certificatePem().toString());

		assertThat(run.exitCode()).as(run.describe()).isZero();
		assertThat(ChildJvm.values(run)).containsEntry("clientId", "chain-app")
			.containsEntry("tokenId", entra.requests().get(0).tokenId());
		assertThat(entra.requests()).extracting(TokenRequest::kind).containsExactly(Kind.FEDERATED);
	}

	@Test
	void managedIdentityWhenIdentityUnknownThenFailsWithoutToken() {
		Commands.Run run = ChildJvm.run(ManagedIdentityTokenMain.class, entra.appServiceEnvironment(), CHILD_TIMEOUT,
				"unknown-id");

		assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
		assertThat(ChildJvm.values(run).get("error")).contains("Identity not found");
		assertThat(entra.requests()).extracting(TokenRequest::status).containsExactly(400);
	}

	@Test
	void managedIdentityEndpointsWhenSecretOrMetadataHeaderMissingThenRefuseWithoutToken() throws Exception {
		java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
		String query = "?api-version=2019-08-01&resource=" + LocalEntra.RESOURCE;

		HttpResponse<String> appService = client
			.send(HttpRequest.newBuilder(URI.create(entra.identityEndpoint() + query))
				.header("X-IDENTITY-HEADER", "wrong")
				.build(), BodyHandlers.ofString());
		HttpResponse<String> imds = client
			.send(HttpRequest.newBuilder(URI.create(entra.imdsHost() + "/metadata/identity/oauth2/token" + query))
				.build(), BodyHandlers.ofString());

		assertThat(appService.statusCode()).isEqualTo(401);
		assertThat(imds.statusCode()).isEqualTo(400);
		assertThat(imds.body()).contains("Required metadata header not specified");
		assertThat(entra.requests()).extracting(TokenRequest::kind).containsExactly(Kind.APP_SERVICE, Kind.IMDS);
		assertThat(entra.requests()).extracting(TokenRequest::tokenId).containsOnlyNulls();
	}

	private static TokenCredential secretCredential(String clientId, String secret, String tenantId) {
		return new ClientSecretCredentialBuilder().clientId(clientId)
			.clientSecret(secret)
			.tenantId(tenantId)
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.retryOptions(NO_RETRIES)
			.httpClient(httpClient)
			.build();
	}

	private static TokenCredential workloadCredential(String clientId, Path tokenFile) {
		return new WorkloadIdentityCredentialBuilder().clientId(clientId)
			.tenantId(LocalEntra.TENANT)
			.tokenFilePath(tokenFile.toString())
			.authorityHost(entra.authorityHost().toString())
			.disableInstanceDiscovery()
			.retryOptions(NO_RETRIES)
			.httpClient(httpClient)
			.build();
	}

	private static AccessToken token(TokenCredential credential) {
		return credential.getToken(AZURE_OPENAI).block(TIMEOUT);
	}

}
